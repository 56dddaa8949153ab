/**
 * `pgdba insights [--database-url URL] [--format json|text]`: runs the health report and prints it.
 * Exit codes (DESIGN): 0 no warnings, 1 findings of severity warning or worse (or the report could
 * not be made), 2 bad usage.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { TargetDatabase } from '../target-database.js';
import { checkFamilies, hasWarnings, runHealthReport } from './health-report.js';
import { healthReportText } from './report-text.js';
import type { CheckFamily } from './types.js';

interface InsightsOptions {
  databaseUrl?: string;
  format: 'json' | 'text';
  only?: CheckFamily[];
}

function parseFormat(value: string): 'json' | 'text' {
  if (value !== 'json' && value !== 'text') throw new InvalidArgumentError('use --format json or --format text.');
  return value;
}

function parseFamilies(value: string): CheckFamily[] {
  const families = value.split(',').map((v) => v.trim()).filter(Boolean);
  const unknown = families.filter((f) => !checkFamilies.includes(f as CheckFamily));
  if (unknown.length > 0 || families.length === 0) {
    throw new InvalidArgumentError(`unknown check family "${unknown.join(', ')}"; choose from ${checkFamilies.join(', ')}.`);
  }
  return families as CheckFamily[];
}

export function registerInsightsCommand(program: Command, openTarget: (url?: string) => Promise<TargetDatabase>): Command {
  return program
    .command('insights')
    .description('Health checks of the target database: each finding with severity, object, detail, recommendation and SQL.')
    .option('--database-url <url>', 'database to inspect (default: DATABASE_URL, else the embedded demo)')
    .option('--format <format>', 'json or text', parseFormat, 'text')
    .option('--only <families>', `comma-separated check families: ${checkFamilies.join(', ')}`, parseFamilies)
    .action(async (options: InsightsOptions) => {
      let target: TargetDatabase;
      try {
        target = await openTarget(options.databaseUrl);
      } catch (error) {
        process.stderr.write(`pgdba insights: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      try {
        const report = await runHealthReport(target, options.only ? { families: options.only } : {});
        process.stdout.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${healthReportText(report)}\n`);
        process.exitCode = hasWarnings(report) ? 1 : 0;
      } catch (error) {
        process.stderr.write(`pgdba insights: the report could not be made: ${(error as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await target.close();
      }
    });
}
