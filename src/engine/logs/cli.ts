/**
 * `pgdba logs analyze FILE...`: the log engine on the command line. Exit 0 on success, 2 when an
 * input cannot be read or an option is wrong (with what to do about it).
 */
import { Option, type Command } from 'commander';
import { analyzeLogs, LogInputError } from './analyze-logs.js';
import { renderTextReport } from './text-report.js';
import type { LogAnalysisOptions, LogFormat } from './types.js';

interface AnalyzeFlags {
  format: 'json' | 'text';
  inputFormat: LogFormat | 'auto';
  prefix?: string;
  since?: string;
  until?: string;
  database?: string;
  user?: string;
  application?: string;
  sample?: string;
  anonymize?: boolean;
  top: string;
  progress?: boolean;
  jobs?: string;
}

class UsageError extends Error {}

function parseTime(value: string, flag: string): Date {
  const date = new Date(/^\d{4}-\d\d-\d\d \d/.test(value) ? value.replace(' ', 'T') : value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${flag} '${value}' is not a date and time: use e.g. 2024-05-01T10:00:00Z.`);
  return date;
}

export function buildLogOptions(flags: AnalyzeFlags): LogAnalysisOptions {
  const options: LogAnalysisOptions = { format: flags.inputFormat, topQueries: Math.max(1, Number(flags.top) || 100) };
  if (flags.prefix !== undefined) options.prefix = flags.prefix;
  if (flags.since !== undefined) options.since = parseTime(flags.since, '--since');
  if (flags.until !== undefined) options.until = parseTime(flags.until, '--until');
  if (flags.database !== undefined) options.database = flags.database;
  if (flags.user !== undefined) options.user = flags.user;
  if (flags.application !== undefined) options.application = flags.application;
  if (flags.sample !== undefined) {
    const every = Number(flags.sample);
    if (!Number.isInteger(every) || every < 1) throw new UsageError(`--sample '${flags.sample}' must be a whole number >= 1 (analyse one statement in N).`);
    options.sample = every;
  }
  if (flags.anonymize) options.anonymize = true;
  if (flags.jobs !== undefined) {
    const jobs = Number(flags.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new UsageError(`--jobs '${flags.jobs}' must be a whole number from 1 to 64 (worker threads; 1 reads the logs in one pass).`);
    options.jobs = jobs;
  }
  return options;
}

export function registerLogsCommand(program: Command): Command {
  const logs = program.command('logs').description('Analyse PostgreSQL server logs.');
  logs
    .command('analyze')
    .description('Statements, errors, lock waits, checkpoints, autovacuum, temp files and connections from PostgreSQL logs (stderr, csvlog, jsonlog, syslog, cloud JSON; .gz).')
    .argument('<files...>', 'log files, in any order (analysed in time order)')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'text']).default('text'))
    .addOption(new Option('--input-format <format>', 'log format (detected by default)').choices(['auto', 'stderr', 'csvlog', 'jsonlog', 'syslog', 'cloudsql', 'cnpg', 'azure', 'logplex']).default('auto'))
    .option('--prefix <log_line_prefix>', "the server's log_line_prefix (detected from the lines by default)")
    .option('--since <time>', 'only entries at or after this time (ISO 8601)')
    .option('--until <time>', 'only entries at or before this time (ISO 8601)')
    .option('--database <name>', 'only this database')
    .option('--user <name>', 'only this user')
    .option('--application <name>', 'only this application_name')
    .option('--sample <n>', 'analyse one statement in N (faster on huge logs; counts become estimates)')
    .option('--anonymize', 'mask constants in examples, parameters and error details')
    .option('--top <n>', 'how many statements to list', '100')
    .option('--progress', 'print progress to stderr')
    .option('--jobs <n>', 'worker threads for large plain stderr logs (default: one pass when the line scanner reads them, else one per idle core, at most 4; 1: one pass)')
    .action(async (files: string[], flags: AnalyzeFlags) => {
      let options: LogAnalysisOptions;
      try {
        options = buildLogOptions(flags);
      } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      if (flags.progress) {
        let lastPercent = -1;
        options.onProgress = ({ bytesRead, totalBytes }) => {
          const percent = totalBytes > 0 ? Math.floor((bytesRead / totalBytes) * 100) : 0;
          if (percent !== lastPercent) process.stderr.write(`\rreading logs: ${percent} %`);
          lastPercent = percent;
        };
      }
      try {
        const analysis = await analyzeLogs(files, options);
        if (flags.progress) process.stderr.write('\n');
        process.stdout.write(flags.format === 'json' ? `${JSON.stringify(analysis, null, 2)}\n` : renderTextReport(analysis));
      } catch (error) {
        if (error instanceof LogInputError) {
          process.stderr.write(`${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw error;
      }
    });
  return logs;
}
