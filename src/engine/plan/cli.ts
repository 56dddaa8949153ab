/**
 * `pgdba explain "SQL" [--analyze] [--param V]... [--format json|text|png] [--output FILE]`.
 * Exit codes: 0 plan shown, 2 bad input (unparsable SQL, refused ANALYZE, bad option), 1 other failure.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { TargetDatabase } from '../db/target-database.js';
import { explainQuery } from './explain.js';
import { planSummary, renderPlanText } from './plan-text.js';
import { ExplainInputError } from './sql-statement.js';

type OpenTarget = (url?: string) => Promise<TargetDatabase>;

interface ExplainCliOptions {
  analyze?: boolean;
  param?: string[];
  format: string;
  output?: string;
  databaseUrl?: string;
  timeout?: string;
}

export function registerExplainCommand(program: Command, openTarget: OpenTarget): Command {
  return program
    .command('explain')
    .description('Show the plan of one query with tips (estimated; --analyze runs plain reads for actual figures)')
    .argument('<sql>', 'the query, quoted; "-" reads it from standard input')
    .option('--analyze', 'run the query (plain reads only, inside a rolled-back transaction) for actual rows, times and buffers')
    .option('--param <value>', 'value for $1, $2, … (repeat in order)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--format <format>', 'json, text or png', 'text')
    .option('--output <file>', 'with --format png: file to write (default: standard output when piped, else query-plan.png)')
    .option('--database-url <url>', 'target database (default: DATABASE_URL, else the embedded demo)')
    .option('--timeout <ms>', 'statement timeout for the EXPLAIN in milliseconds', '30000')
    .action(async (sqlArgument: string, options: ExplainCliOptions) => {
      process.exitCode = await runExplain(sqlArgument, options, openTarget);
    });
}

async function runExplain(sqlArgument: string, options: ExplainCliOptions, openTarget: OpenTarget): Promise<number> {
  if (!['json', 'text', 'png'].includes(options.format)) {
    process.stderr.write(`--format must be json, text or png (got "${options.format}").\n`);
    return 2;
  }
  const timeoutMs = Number(options.timeout ?? 30_000);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    process.stderr.write(`--timeout must be a positive number of milliseconds (got "${options.timeout}").\n`);
    return 2;
  }
  const sql = sqlArgument === '-' ? await readStdin() : sqlArgument;
  let target: TargetDatabase | undefined;
  try {
    target = await openTarget(options.databaseUrl);
    const result = await explainQuery(target, sql, { analyze: options.analyze === true, params: options.param ?? [], timeoutMs });
    if (options.format === 'json') {
      const { relations: _relations, ...data } = result;
      process.stdout.write(`${JSON.stringify({ ...data, summary: planSummary(result.plan) }, null, 2)}\n`);
    } else if (options.format === 'text') {
      process.stdout.write(`${renderPlanText(result.plan, { tips: result.tips })}\n`);
      if (result.tips.length > 0) {
        process.stdout.write('\nTips:\n');
        for (const tip of result.tips) process.stdout.write(`- [${tip.severity}] ${tip.title}${tip.node ? ` (${tip.node})` : ''}\n  ${tip.explanation}\n`);
      }
    } else {
      // Rendering lives in renderers/; loaded only for this format so the engine stays free of it.
      const { renderPlan } = await import('../../renderers/plan-diagram.js');
      const png = await renderPlan(result.plan, { tips: result.tips });
      if (options.output || process.stdout.isTTY) {
        const file = options.output ?? 'query-plan.png';
        await writeFile(file, png);
        process.stderr.write(`Plan diagram written to ${file}\n`);
      } else {
        process.stdout.write(png);
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof ExplainInputError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    process.stderr.write(`pgdba explain failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await target?.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
