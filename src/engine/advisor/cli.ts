/**
 * `pgdba advise [SQL] [--workload FILE | --from-stat-statements] [--format json|text]`.
 * Exit codes (DESIGN contract): 0 nothing to change, 1 recommendations found (or the advice failed),
 * 2 bad usage or input.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { TargetDatabase } from '../db/target-database.js';
import { ExplainInputError } from '../plan/sql-statement.js';
import { adviseIndexes, type IndexAdvice, type WorkloadQuery } from './advise-indexes.js';
import { workloadFromStatStatements, workloadFromText } from './workload-sources.js';

type OpenTarget = (url?: string) => Promise<TargetDatabase>;

interface AdviseCliOptions {
  workload?: string;
  fromStatStatements?: boolean;
  format: string;
  maxIndexes: string;
  maxSizeMb?: string;
  minImprovement: string;
  databaseUrl?: string;
}

export function registerAdviseCommand(program: Command, openTarget: OpenTarget): Command {
  return program
    .command('advise')
    .description('Recommend indexes verified with hypothetical indexes (hypopg) for a query, a workload file or pg_stat_statements')
    .argument('[sql]', 'one query to advise on')
    .option('--workload <file>', 'SQL statements separated by semicolons, or JSON [{"sql": …, "weight": …}]')
    .option('--from-stat-statements', 'take the 50 heaviest statements of pg_stat_statements, weighted by calls')
    .option('--format <format>', 'json or text', 'text')
    .option('--max-indexes <n>', 'at most this many new indexes', '5')
    .option('--max-size-mb <mb>', 'total size budget for new indexes in MB')
    .option('--min-improvement <percent>', 'a query counts as helped when its cost drops by at least this much', '10')
    .option('--database-url <url>', 'target database (default: DATABASE_URL, else the embedded demo)')
    .action(async (sql: string | undefined, options: AdviseCliOptions) => {
      process.exitCode = await runAdvise(sql, options, openTarget);
    });
}

async function runAdvise(sql: string | undefined, options: AdviseCliOptions, openTarget: OpenTarget): Promise<number> {
  const usage = (message: string) => {
    process.stderr.write(`${message}\n`);
    return 2;
  };
  const sources = [sql !== undefined, options.workload !== undefined, options.fromStatStatements === true].filter(Boolean).length;
  if (sources !== 1) return usage('Give exactly one of: a query, --workload FILE, or --from-stat-statements.');
  if (!['json', 'text'].includes(options.format)) return usage(`--format must be json or text (got "${options.format}").`);
  const maxIndexes = Number(options.maxIndexes);
  const maxSizeMb = options.maxSizeMb === undefined ? undefined : Number(options.maxSizeMb);
  const minImprovement = Number(options.minImprovement);
  if (!Number.isInteger(maxIndexes) || maxIndexes < 1) return usage(`--max-indexes must be a whole number ≥ 1 (got "${options.maxIndexes}").`);
  if (maxSizeMb !== undefined && !(maxSizeMb > 0)) return usage(`--max-size-mb must be a positive number (got "${options.maxSizeMb}").`);
  if (!(minImprovement >= 0 && minImprovement <= 100)) return usage(`--min-improvement must be a percentage 0–100 (got "${options.minImprovement}").`);

  let target: TargetDatabase | undefined;
  try {
    let workload: WorkloadQuery[];
    if (options.workload !== undefined) {
      const text = await readFile(options.workload, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new ExplainInputError(`Cannot read the workload file ${options.workload}: ${error.code === 'ENOENT' ? 'it does not exist' : error.message}.`);
      });
      workload = await workloadFromText(text);
      if (workload.length === 0) throw new ExplainInputError(`The workload file ${options.workload} has no statements.`);
    }
    target = await openTarget(options.databaseUrl);
    if (options.fromStatStatements) workload = await workloadFromStatStatements(target);
    else if (sql !== undefined) workload = [{ sql }];
    const advice = await adviseIndexes(target, workload!, {
      maxIndexes,
      ...(maxSizeMb !== undefined ? { maxBytes: maxSizeMb * 1024 * 1024 } : {}),
      minImprovement: minImprovement / 100,
    });
    if (options.format === 'json') {
      const { plans, ...rest } = advice;
      process.stdout.write(`${JSON.stringify({ ...rest, plans: plans.map((p) => ({ index: p.index, beforeCost: p.before.totalCost, afterCost: p.after.totalCost })) }, null, 2)}\n`);
    } else {
      process.stdout.write(adviceText(advice));
    }
    return advice.recommendations.length > 0 || advice.drops.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ExplainInputError) return usage(error.message);
    process.stderr.write(`pgdba advise failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await target?.close();
  }
}

/** Plain-text advice for terminals. */
export function adviceText(advice: IndexAdvice): string {
  const lines: string[] = [];
  if (!advice.verified) {
    lines.push('hypopg is not available: the candidates below are UNVERIFIED guesses from the query text.', advice.hypopg.howToEnable ?? '', '');
  } else {
    lines.push(
      `Weighted planner cost ${advice.totals.baselineCost.toFixed(0)} -> ${advice.totals.finalCost.toFixed(0)} (-${advice.totals.savingPercent.toFixed(1)} %), ` +
        `${advice.totals.verifiedCandidates} of ${advice.totals.candidates} candidates verified with hypopg in ${(advice.totals.elapsedMs / 1000).toFixed(1)} s.`,
      '',
    );
  }
  if (advice.recommendations.length === 0) lines.push('No new index recommended.');
  for (const r of advice.recommendations) {
    lines.push(`${r.sql}`);
    lines.push(
      `  ${r.verified ? `saving ${(r.saving ?? 0).toFixed(0)}, helps ${r.queriesHelped.length} quer${r.queriesHelped.length === 1 ? 'y' : 'ies'}, ~${Math.round((r.sizeBytes ?? 0) / 1024)} kB` : 'unverified'}; ${r.reasons.join('; ')}`,
    );
    lines.push(`  rollback: ${r.rollback}`);
  }
  if (advice.drops.length > 0) {
    lines.push('', 'Indexes the workload does not need:');
    for (const d of advice.drops) lines.push(`${d.sql}  -- ${d.kind}, ${Math.round(d.sizeBytes / 1024)} kB`, `  rollback: ${d.rollback}`);
  }
  const skipped = advice.queries.filter((q) => q.skipped);
  if (skipped.length > 0) lines.push('', ...skipped.map((q) => `skipped query ${q.index + 1}: ${q.skipped}`));
  return `${lines.join('\n')}\n`;
}
