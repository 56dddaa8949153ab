import { z } from 'zod';
import { sharedSnapshotNote, snapshotsOf } from '../engine/db/inspections/snapshot-cache.js';
import { readServerOverview, type ServerOverview } from '../engine/db/server-overview.js';
import { formatBytes, formatCount, formatDuration, formatPercent } from './format.js';
import { ReplyBuilder } from './reply.js';
import { defineTool } from './tool.js';

// Below this, a busy OLTP database reads too much from disk (PgHero uses the same 99 % line).
const healthyCacheHitRatio = 0.99;

export const serverOverviewTool = defineTool({
  name: 'server_overview',
  description: 'Server version, database size, connections in use and cache hit ratio of the target database.',
  examples: ['health', 'how is the database doing?'],
  shareable: true,
  input: z.object({}).strict(),
  async run(_input, context) {
    const target = await context.target();
    const signal = context.signal ? { signal: context.signal } : {};
    const snapshot = await snapshotsOf(target).read('server-overview', () => readServerOverview(target, context.signal), signal);
    const overview: ServerOverview = snapshot.value;
    const { connections } = overview;
    const reply = new ReplyBuilder()
      .text(`*${overview.database}* on PostgreSQL ${overview.version} (${target.description.label})`)
      .fields([
        { label: 'Database size', value: formatBytes(overview.databaseBytes) },
        { label: 'Connections', value: `${connections.total} of ${connections.max} (${connections.active} active, ${connections.idleInTransaction} idle in transaction)` },
        { label: 'Cache hit ratio', value: formatPercent(overview.cacheHitRatio, 2) },
        { label: 'Index cache hit ratio', value: formatPercent(overview.indexCacheHitRatio, 2) },
        { label: 'Uptime', value: overview.uptimeSeconds === null ? 'n/a' : formatDuration(overview.uptimeSeconds * 1000) },
      ]);
    if (overview.cacheHitRatio !== null && overview.cacheHitRatio < healthyCacheHitRatio) {
      reply.text(
        `The cache hit ratio is below ${formatPercent(healthyCacheHitRatio, 0)}: queries read from disk often. ` +
          'Check shared_buffers against the working set, and look for large sequential scans.',
      );
    }
    if (connections.total / connections.max > 0.8) {
      reply.text(`Connections are at ${formatCount((connections.total / connections.max) * 100)} % of max_connections: consider a pooler such as PgBouncer.`);
    }
    reply.context(overview.statsResetAt ? `Statistics since ${overview.statsResetAt}.` : 'Statistics since the server started.');
    if (snapshot.shared) reply.context(sharedSnapshotNote(snapshot.readAt));
    return { data: overview, reply: reply.build() };
  },
});
