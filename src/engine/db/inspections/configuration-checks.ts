/**
 * Configuration: the settings changed from their defaults (with where they were set) and
 * rule-based recommendations, each saying why. RAM size is not visible from SQL, so memory rules
 * only flag defaults and measured symptoms (temporary files, requested checkpoints).
 */
import type { ServerContext } from './catalog/context.js';
import type { ServerSetting, ServerSettings } from './catalog/settings.js';
import { formatBytes, formatCount, formatPercent } from './format.js';
import type { InspectionCheck } from './inspection-check.js';
import type { InspectionThresholds } from './thresholds.js';
import type { Finding, Severity } from './types.js';

export interface NonDefaultSetting {
  name: string;
  value: string;
  unit: string | null;
  defaultValue: string | null;
  source: string;
  sourceFile: string | null;
  pendingRestart: boolean;
}

/** Settings changed from the built-in default, except those pgdba's own session or driver set. */
export function nonDefaultSettings(settings: ServerSettings): NonDefaultSetting[] {
  return settings.all
    .filter((s) => !['default', 'override', 'session', 'client'].includes(s.source))
    .map((s) => ({
      name: s.name,
      value: s.setting,
      unit: s.unit,
      defaultValue: s.bootValue,
      source: s.source,
      sourceFile: s.sourceFile,
      pendingRestart: s.pendingRestart,
    }));
}

interface RuleInput {
  settings: ServerSettings;
  /** The in-process demo (PGlite): durability settings do not apply to a throw-away in-memory database. */
  embedded?: boolean;
  server: ServerContext;
  thresholds: InspectionThresholds;
}

type Rule = (input: RuleInput) => Finding | Finding[] | undefined;

function finding(check: string, severity: Severity, object: string, detail: string, recommendation: string, sql?: string): Finding {
  return { check, severity, object, detail, recommendation, ...(sql ? { sql } : {}) };
}

const isOff = (value: string | undefined) => value === 'off';

const rules: Rule[] = [
  ({ settings, embedded }) => !embedded && isOff(settings.text('fsync'))
    ? finding('config_wal', 'critical', 'fsync', 'fsync is off: a crash or power loss can corrupt the whole cluster, not just lose recent commits.', 'Turn fsync on unless this is a throw-away test server; use synchronous_commit = off for speed without corruption risk.', "ALTER SYSTEM SET fsync = on;\nSELECT pg_reload_conf();")
    : undefined,
  ({ settings, embedded }) => !embedded && isOff(settings.text('full_page_writes'))
    ? finding('config_wal', 'warning', 'full_page_writes', 'full_page_writes is off: a crash in the middle of a page write leaves a torn page that WAL replay cannot repair.', 'Turn it on unless the storage guarantees atomic 8 kB writes.', "ALTER SYSTEM SET full_page_writes = on;\nSELECT pg_reload_conf();")
    : undefined,
  ({ settings }) => isOff(settings.text('synchronous_commit'))
    ? finding('config_wal', 'info', 'synchronous_commit', 'synchronous_commit is off: a crash can lose the last few hundred milliseconds of commits (without corruption).', 'Fine when that loss is acceptable; otherwise set it per transaction for bulk jobs only.')
    : undefined,
  ({ settings }) => isOff(settings.text('autovacuum'))
    ? finding('config_autovacuum', 'critical', 'autovacuum', 'autovacuum is off: dead tuples accumulate, statistics go stale and only emergency anti-wraparound vacuums run.', 'Turn autovacuum on; tune it per table instead of disabling it.', "ALTER SYSTEM SET autovacuum = on;\nSELECT pg_reload_conf();")
    : undefined,
  ({ settings }) => isOff(settings.text('track_counts'))
    ? finding('config_autovacuum', 'critical', 'track_counts', 'track_counts is off: autovacuum cannot tell which tables need work and pg_stat_user_tables stays empty.', 'Turn it on.', "ALTER SYSTEM SET track_counts = on;\nSELECT pg_reload_conf();")
    : undefined,
  ({ settings }) => {
    const bytes = settings.bytes('shared_buffers') ?? 0;
    return bytes > 0 && bytes <= 128 * 1024 * 1024
      ? finding('config_memory', 'info', 'shared_buffers', `shared_buffers is ${formatBytes(bytes)}, the default sized for tiny machines.`, 'Set it to about 25 % of RAM on a dedicated server (restart needed); pgdba cannot see the RAM size from SQL.', "ALTER SYSTEM SET shared_buffers = '<25% of RAM>'; -- then restart")
      : undefined;
  },
  ({ settings }) => {
    const bytes = settings.bytes('maintenance_work_mem') ?? 0;
    return bytes > 0 && bytes <= 64 * 1024 * 1024
      ? finding('config_memory', 'info', 'maintenance_work_mem', `maintenance_work_mem is ${formatBytes(bytes)} (default): VACUUM and CREATE INDEX on large tables make several passes.`, 'Raise it to 512MB-1GB when RAM allows (autovacuum_work_mem caps each autovacuum worker separately).', "ALTER SYSTEM SET maintenance_work_mem = '1GB';\nSELECT pg_reload_conf();")
      : undefined;
  },
  ({ settings, server, thresholds }) => server.tempBytes >= thresholds.tempBytesWarning
    ? finding('config_memory', 'warning', 'work_mem', `Queries in ${server.database} wrote ${formatCount(server.tempFiles)} temporary files (${formatBytes(server.tempBytes)}) since statistics reset; work_mem is ${formatBytes(settings.bytes('work_mem') ?? 0)}.`, 'Sorts and hashes spill to disk. Find the statements (log_temp_files = 0, pg_stat_statements temp_blks_written) and raise work_mem for them (per role or per query) rather than globally: it applies per sort node per connection.')
    : undefined,
  ({ settings }) => settings.number('random_page_cost') === 4
    ? finding('config_planner', 'info', 'random_page_cost', 'random_page_cost is 4 (default, tuned for spinning disks).', 'On SSD or cloud block storage set it to 1.1-1.5 so the planner uses indexes where they are cheaper.', "ALTER SYSTEM SET random_page_cost = 1.1;\nSELECT pg_reload_conf();")
    : undefined,
  ({ settings, server, thresholds }) => {
    const timed = server.checkpointsTimed ?? 0;
    const requested = server.checkpointsRequested ?? 0;
    const total = timed + requested;
    if (total < thresholds.requestedCheckpointMinCount || requested / total < thresholds.requestedCheckpointShare) return undefined;
    const maxWal = settings.bytes('max_wal_size') ?? 0;
    return finding('config_checkpoints', 'warning', 'max_wal_size', `${formatPercent(requested / total, 0)} of checkpoints (${requested} of ${total}) were requested because WAL reached max_wal_size (${formatBytes(maxWal)}) before checkpoint_timeout.`, 'Frequent checkpoints cause I/O spikes and more full-page writes. Raise max_wal_size so most checkpoints are timed.', `ALTER SYSTEM SET max_wal_size = '${Math.max(2, Math.ceil((maxWal * 4) / 1024 ** 3))}GB';\nSELECT pg_reload_conf();`);
  },
  ({ settings }) => {
    const target = settings.number('checkpoint_completion_target');
    return target !== undefined && target < 0.9
      ? finding('config_checkpoints', 'info', 'checkpoint_completion_target', `checkpoint_completion_target is ${target}: checkpoint writes are squeezed into a shorter part of the interval.`, 'Set it to 0.9 (the default since PostgreSQL 14) to spread checkpoint I/O.', "ALTER SYSTEM SET checkpoint_completion_target = 0.9;\nSELECT pg_reload_conf();")
      : undefined;
  },
  ({ settings }) => {
    const prefix = settings.text('log_line_prefix');
    if (prefix === undefined) return undefined;
    const missing = [!prefix.includes('%p') && '%p (process id)', !/%[mtn]/.test(prefix) && '%m (timestamp)'].filter(Boolean);
    return missing.length > 0
      ? finding('config_logging', 'warning', 'log_line_prefix', `log_line_prefix is '${prefix}', without ${missing.join(' and ')}.`, 'Log analysis (pgdba logs analyze, pgBadger) needs the timestamp to order events and the process id to join a statement with its DETAIL/duration lines.', "ALTER SYSTEM SET log_line_prefix = '%m [%p] %q%u@%d ';\nSELECT pg_reload_conf();")
      : undefined;
  },
  ({ settings }) => {
    const value = settings.number('log_min_duration_statement');
    if (value === -1) {
      return finding('config_logging', 'info', 'log_min_duration_statement', 'log_min_duration_statement is -1: slow statements are not logged.', 'Log statements slower than a threshold so pgdba\'s log analysis can show slow queries with their parameters.', "ALTER SYSTEM SET log_min_duration_statement = '250ms';\nSELECT pg_reload_conf();");
    }
    if (value === 0) {
      return finding('config_logging', 'info', 'log_min_duration_statement', 'log_min_duration_statement is 0: every statement is logged, which costs I/O on a busy server.', 'Keep it for a short capture only; use a threshold (e.g. 250ms) in normal operation.', "ALTER SYSTEM SET log_min_duration_statement = '250ms';\nSELECT pg_reload_conf();");
    }
    return undefined;
  },
  ({ settings }) => {
    const off = [
      isOff(settings.text('log_lock_waits')) && 'log_lock_waits = on',
      settings.number('log_temp_files') === -1 && 'log_temp_files = 0',
      settings.number('log_autovacuum_min_duration') === -1 && "log_autovacuum_min_duration = '10s'",
      isOff(settings.text('log_checkpoints')) && 'log_checkpoints = on',
    ].filter((v): v is string => typeof v === 'string');
    return off.length > 0
      ? finding('config_logging', 'info', 'logging', `Useful diagnostics are not logged: ${off.map((v) => v.split(' ')[0]).join(', ')}.`, 'Lock waits, temporary files, autovacuum runs and checkpoints in the log explain most slowdowns after the fact, at negligible cost.', `${off.map((v) => `ALTER SYSTEM SET ${v};`).join('\n')}\nSELECT pg_reload_conf();`)
      : undefined;
  },
  ({ settings }) => settings.number('idle_in_transaction_session_timeout') === 0
    ? finding('config_sessions', 'info', 'idle_in_transaction_session_timeout', 'idle_in_transaction_session_timeout is 0: a session that forgets to commit holds its locks and the vacuum horizon forever.', 'Set a server-wide safety net, e.g. 10 minutes (or per application role).', "ALTER SYSTEM SET idle_in_transaction_session_timeout = '10min';\nSELECT pg_reload_conf();")
    : undefined,
  ({ settings }) => {
    const pending = settings.all.filter((s: ServerSetting) => s.pendingRestart);
    return pending.length > 0
      ? finding('config_pending_restart', 'warning', pending.map((s) => s.name).join(', '), `Changed but not in effect until a restart: ${pending.map((s) => s.name).join(', ')}.`, 'Restart in a maintenance window, or revert the change: the running server differs from its configuration files.')
      : undefined;
  },
  ({ settings }) => (settings.number('max_connections') ?? 0) > 500
    ? finding('config_connections', 'info', 'max_connections', `max_connections is ${settings.number('max_connections')}.`, 'Hundreds of backends compete for CPU and locks; a pooler (PgBouncer) with a few dozen server connections usually serves more clients faster.')
    : undefined,
];

export function configurationRecommendations(input: RuleInput): Finding[] {
  return rules.flatMap((rule) => {
    const result = rule(input);
    return result === undefined ? [] : Array.isArray(result) ? result : [result];
  });
}

export const configurationCheck: InspectionCheck = {
  name: 'configuration',
  family: 'configuration',
  async run(context) {
    const [settings, server] = await Promise.all([context.settings(), context.server()]);
    return configurationRecommendations({ settings, server, thresholds: context.thresholds, embedded: context.embedded });
  },
};

export const configurationChecks: InspectionCheck[] = [configurationCheck];
