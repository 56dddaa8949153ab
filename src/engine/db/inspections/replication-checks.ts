/** Replication: lag per replica, and slots that are inactive or retain too much WAL. */
import { formatBytes, formatDuration, quoteIdent } from './format.js';
import { requireReadAllStats, type InspectionCheck } from './inspection-check.js';
import type { Finding } from './types.js';

export const replicationLagCheck: InspectionCheck = {
  name: 'replication_lag',
  family: 'replication',
  async run(context) {
    const server = await context.server();
    requireReadAllStats(server.readAllStats, server.role, 'replica positions in pg_stat_replication');
    const { replicas } = await context.replication();
    const { replicationLagBytes, replicationLagSeconds } = context.thresholds;
    const findings: Finding[] = [];
    for (const replica of replicas) {
      const bytes = replica.replayLagBytes ?? 0;
      const seconds = replica.replayLagSeconds ?? 0;
      if (bytes < replicationLagBytes && seconds < replicationLagSeconds) continue;
      findings.push({
        check: 'replication_lag',
        severity: bytes >= replicationLagBytes * 10 || seconds >= replicationLagSeconds * 10 ? 'critical' : 'warning',
        object: `replica ${replica.name || replica.client || '?'}`,
        detail: `Replica ${replica.name} (${replica.client ?? 'local'}, ${replica.state}, ${replica.syncState}) is ${formatBytes(bytes)} and ${formatDuration(seconds)} behind in replay.`,
        recommendation: 'Reads on the replica are stale and failover would lose or wait for this much. Check the replica\'s I/O and CPU, long queries on it (hot_standby_feedback conflicts) and the network.',
        sql: 'SELECT application_name, state, write_lag, flush_lag, replay_lag FROM pg_stat_replication;',
      });
    }
    return findings;
  },
};

export const replicationSlotCheck: InspectionCheck = {
  name: 'replication_slot',
  family: 'replication',
  async run(context) {
    const { slots } = await context.replication();
    const limit = context.thresholds.slotRetainedWalBytes;
    const findings: Finding[] = [];
    for (const slot of slots) {
      const retained = slot.retainedWalBytes ?? 0;
      const lost = slot.walStatus === 'lost';
      if (slot.active && retained < limit && !lost) continue;
      findings.push({
        check: 'replication_slot',
        severity: lost || retained >= limit ? 'critical' : 'warning',
        object: `slot ${slot.name}`,
        detail: `${slot.type} replication slot ${slot.name}${slot.database ? ` (database ${slot.database})` : ''} is ${slot.active ? 'active' : 'inactive'} and retains ${formatBytes(retained)} of WAL${slot.walStatus ? ` (wal_status ${slot.walStatus})` : ''}.`,
        recommendation: lost
          ? 'The slot lost WAL its consumer needed: the consumer must be rebuilt. Drop the slot.'
          : slot.active
            ? 'Its consumer is falling behind; WAL piles up on disk until it catches up. Check the consumer.'
            : 'An inactive slot keeps WAL (and, for logical slots, the xmin horizon) forever and can fill the disk. Drop it if its consumer is gone; consider max_slot_wal_keep_size.',
        sql: `SELECT pg_drop_replication_slot(${`'${slot.name.replace(/'/g, "''")}'`}); -- only if no consumer needs ${quoteIdent(slot.name)}`,
      });
    }
    return findings;
  },
};

export const replicationChecks: InspectionCheck[] = [replicationLagCheck, replicationSlotCheck];
