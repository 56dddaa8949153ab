import { describe, expect, it } from 'vitest';
import type { ServerContext } from '../../../../src/engine/db/inspections/catalog/context.js';
import { ServerSettings, type ServerSetting } from '../../../../src/engine/db/inspections/catalog/settings.js';
import { configurationRecommendations } from '../../../../src/engine/db/inspections/configuration-checks.js';
import { defaultThresholds } from '../../../../src/engine/db/inspections/thresholds.js';

function setting(name: string, value: string, unit: string | null = null): ServerSetting {
  return { name, setting: value, unit, bootValue: value, resetValue: value, source: 'configuration file', sourceFile: null, context: 'sighup', type: 'string', pendingRestart: false };
}

// A well-tuned server: no rule should fire.
const tuned = [
  setting('fsync', 'on'), setting('full_page_writes', 'on'), setting('synchronous_commit', 'on'), setting('autovacuum', 'on'),
  setting('track_counts', 'on'), setting('shared_buffers', '524288', '8kB'), setting('maintenance_work_mem', '1048576', 'kB'),
  setting('work_mem', '16384', 'kB'), setting('random_page_cost', '1.1'), setting('checkpoint_completion_target', '0.9'),
  setting('max_wal_size', '4096', 'MB'), setting('log_line_prefix', '%m [%p] %q%u@%d '), setting('log_min_duration_statement', '250', 'ms'),
  setting('log_lock_waits', 'on'), setting('log_temp_files', '0', 'kB'), setting('log_autovacuum_min_duration', '10000', 'ms'),
  setting('log_checkpoints', 'on'), setting('idle_in_transaction_session_timeout', '600000', 'ms'), setting('max_connections', '200'),
];

const server = { tempBytes: 0, tempFiles: 0, checkpointsTimed: 100, checkpointsRequested: 2, database: 'app' } as ServerContext;

function recommend(overrides: ServerSetting[], serverOverrides: Partial<ServerContext> = {}) {
  const byName = new Map(tuned.map((s) => [s.name, s]));
  for (const o of overrides) byName.set(o.name, o);
  return configurationRecommendations({ settings: new ServerSettings([...byName.values()]), server: { ...server, ...serverOverrides }, thresholds: defaultThresholds });
}

describe('configuration rules', () => {
  it('recommend nothing for a tuned server', () => {
    expect(recommend([])).toEqual([]);
  });

  it.each([
    ['log_line_prefix', [setting('log_line_prefix', '%t ')], 'config_logging', 'warning', /without %p/],
    ['log_line_prefix', [setting('log_line_prefix', '[%p] ')], 'config_logging', 'warning', /without %m \(timestamp\)/],
    ['fsync', [setting('fsync', 'off')], 'config_wal', 'critical', /corrupt/],
    ['autovacuum', [setting('autovacuum', 'off')], 'config_autovacuum', 'critical', /dead tuples/],
    ['shared_buffers', [setting('shared_buffers', '16384', '8kB')], 'config_memory', 'info', /128\.0 MB/],
    ['random_page_cost', [setting('random_page_cost', '4')], 'config_planner', 'info', /spinning disks/],
    ['log_min_duration_statement', [setting('log_min_duration_statement', '0', 'ms')], 'config_logging', 'info', /every statement/],
    ['logging', [setting('log_lock_waits', 'off')], 'config_logging', 'info', /log_lock_waits/],
    ['max_connections', [setting('max_connections', '2000')], 'config_connections', 'info', /2000/],
  ] as const)('flag %s with its reasoning', (object, overrides, check, severity, detail) => {
    const found = recommend([...overrides]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ check, severity, object });
    expect(found[0]?.detail).toMatch(detail);
  });

  it('flags requested checkpoints as a too-small max_wal_size', () => {
    const found = recommend([], { checkpointsTimed: 10, checkpointsRequested: 30 });
    expect(found).toMatchObject([{ check: 'config_checkpoints', object: 'max_wal_size', severity: 'warning' }]);
    expect(found[0]?.sql).toMatch(/max_wal_size = '16GB'/);
  });

  it('flags temporary files as a work_mem symptom', () => {
    const found = recommend([], { tempBytes: 20 * 1024 ** 3, tempFiles: 900 });
    expect(found).toMatchObject([{ check: 'config_memory', object: 'work_mem', severity: 'warning' }]);
  });
});
