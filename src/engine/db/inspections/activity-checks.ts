/** Activity: long-running queries, idle-in-transaction sessions, blocking trees, connection usage, cache hit ratios. */
import type { SessionInfo } from './catalog/activity.js';
import { formatCount, formatDuration, formatPercent } from './format.js';
import { requireReadAllStats, type InspectionCheck } from './inspection-check.js';
import type { InspectionContext } from './inspection-context.js';
import type { Finding } from './types.js';

const clientBackend = (s: SessionInfo) => s.backendType === 'client backend';

function sessionLabel(session: SessionInfo): string {
  return `pid ${session.pid} (${session.user ?? '?'}@${session.database ?? '?'}${session.application ? `, ${session.application}` : ''})`;
}

function shortQuery(query: string | null): string {
  const flat = (query ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

async function visibleSessions(context: InspectionContext, what: string): Promise<SessionInfo[]> {
  const server = await context.server();
  requireReadAllStats(server.readAllStats, server.role, what);
  return context.sessions();
}

export const longRunningQueryCheck: InspectionCheck = {
  name: 'long_running_query',
  family: 'activity',
  async run(context) {
    const limit = context.thresholds.longRunningQuerySeconds;
    return (await visibleSessions(context, "other roles' queries"))
      .filter((s) => clientBackend(s) && s.state === 'active' && (s.querySeconds ?? 0) >= limit)
      .map((session) => ({
        check: 'long_running_query',
        severity: (session.querySeconds ?? 0) >= limit * 10 ? 'critical' as const : 'warning' as const,
        object: sessionLabel(session),
        detail: `${sessionLabel(session)} has been running for ${formatDuration(session.querySeconds ?? 0)}: ${shortQuery(session.query)}`,
        recommendation: 'Check it is expected (a report, a migration). Long queries hold back vacuum cleanup for the whole server; cancel it if not.',
        sql: `SELECT pg_cancel_backend(${session.pid});`,
      }));
  },
};

export const idleInTransactionCheck: InspectionCheck = {
  name: 'idle_in_transaction',
  family: 'activity',
  async run(context) {
    const limit = context.thresholds.idleInTransactionSeconds;
    return (await visibleSessions(context, "other roles' session states"))
      .filter((s) => clientBackend(s) && (s.state ?? '').startsWith('idle in transaction') && (s.stateSeconds ?? 0) >= limit)
      .map((session) => ({
        check: 'idle_in_transaction',
        severity: (session.transactionSeconds ?? 0) >= limit * 10 ? 'critical' as const : 'warning' as const,
        object: sessionLabel(session),
        detail: `${sessionLabel(session)} has been idle in transaction for ${formatDuration(session.stateSeconds ?? 0)} (transaction open ${formatDuration(session.transactionSeconds ?? 0)}); last statement: ${shortQuery(session.query)}`,
        recommendation: 'An open transaction keeps its locks and stops vacuum from removing dead rows. Fix the application (commit or roll back promptly) and set idle_in_transaction_session_timeout.',
        sql: `SELECT pg_terminate_backend(${session.pid});\n-- prevent: ALTER ROLE ${session.user ?? 'app_role'} SET idle_in_transaction_session_timeout = '5min';`,
      }));
  },
};

/** Renders the tree of sessions a root blocker holds up, one line per session, indented by depth. */
function blockingTree(root: number, sessions: Map<number, SessionInfo>, blockedBy: Map<number, number[]>): string[] {
  const lines: string[] = [];
  const seen = new Set<number>();
  const walk = (pid: number, depth: number) => {
    if (seen.has(pid)) return;
    seen.add(pid);
    const session = sessions.get(pid);
    const state = session ? `${session.state ?? '?'}${session.waitEventType === 'Lock' ? ` waiting ${formatDuration(session.stateSeconds ?? 0)}` : ''}: ${shortQuery(session.query)}` : 'not visible';
    lines.push(`${'  '.repeat(depth)}${depth === 0 ? '' : '└ '}pid ${pid} ${state}`);
    for (const [waiter, blockers] of blockedBy) if (blockers.includes(pid)) walk(waiter, depth + 1);
  };
  walk(root, 0);
  return lines;
}

export const blockingCheck: InspectionCheck = {
  name: 'blocking_tree',
  family: 'activity',
  async run(context) {
    const sessions = await visibleSessions(context, "other roles' lock waits");
    const byPid = new Map(sessions.map((s) => [s.pid, s]));
    const blockedBy = new Map(sessions.filter((s) => s.blockedBy.length > 0).map((s) => [s.pid, s.blockedBy]));
    // Roots block others but wait on nobody; a deadlock-free wait graph always has at least one.
    const roots = new Set<number>();
    for (const blockers of blockedBy.values()) for (const pid of blockers) if (!blockedBy.has(pid)) roots.add(pid);
    const findings: Finding[] = [];
    for (const root of roots) {
      const tree = blockingTree(root, byPid, blockedBy);
      const waiting = tree.length - 1;
      const longestWait = Math.max(0, ...[...blockedBy.keys()].map((pid) => byPid.get(pid)?.stateSeconds ?? 0));
      const session = byPid.get(root);
      findings.push({
        check: 'blocking_tree',
        severity: longestWait >= context.thresholds.blockedCriticalSeconds ? 'critical' : 'warning',
        object: session ? sessionLabel(session) : `pid ${root}`,
        detail: `pid ${root} blocks ${waiting} session(s):\n${tree.join('\n')}`,
        recommendation: session && (session.state ?? '').startsWith('idle in transaction')
          ? 'The blocker is idle in transaction: its application forgot to commit. Terminate it if it does not finish soon.'
          : 'Let the blocker finish if it is nearly done; otherwise cancel it (or terminate it if cancelling does not release the lock).',
        sql: `SELECT pg_cancel_backend(${root}); -- then, if needed: SELECT pg_terminate_backend(${root});`,
      });
    }
    return findings;
  },
};

export const connectionUsageCheck: InspectionCheck = {
  name: 'connection_usage',
  family: 'activity',
  async run(context) {
    const [settings, sessions] = await Promise.all([context.settings(), context.sessions()]);
    const max = settings.number('max_connections') ?? 100;
    const reserved = (settings.number('superuser_reserved_connections') ?? 3) + (settings.number('reserved_connections') ?? 0);
    const usable = Math.max(1, max - reserved);
    const used = sessions.filter(clientBackend).length + 1; // +1: this session
    const share = used / usable;
    const { connectionWarningShare, connectionCriticalShare } = context.thresholds;
    if (share < connectionWarningShare) return [];
    const idle = sessions.filter((s) => clientBackend(s) && s.state === 'idle').length;
    return [{
      check: 'connection_usage',
      severity: share >= connectionCriticalShare ? 'critical' : 'warning',
      object: 'max_connections',
      detail: `${used} of ${usable} usable connections in use (${formatPercent(share, 0)}; max_connections ${max}, ${reserved} reserved), ${idle} idle.`,
      recommendation: 'New connections will soon be refused. Put a pooler (PgBouncer, transaction mode) in front rather than raising max_connections: each backend costs memory and contention.',
      sql: `SELECT usename, application_name, state, count(*) FROM pg_stat_activity GROUP BY 1, 2, 3 ORDER BY 4 DESC;`,
    }];
  },
};

export const cacheHitCheck: InspectionCheck = {
  name: 'cache_hit_ratio',
  family: 'activity',
  async run(context) {
    const server = await context.server();
    const { cacheHitMinRatio, cacheHitMinBlocks } = context.thresholds;
    const findings: Finding[] = [];
    for (const [kind, hit, read] of [
      ['table', server.tableBlocksHit, server.tableBlocksRead],
      ['index', server.indexBlocksHit, server.indexBlocksRead],
    ] as const) {
      const total = hit + read;
      if (total < cacheHitMinBlocks) continue;
      const ratio = hit / total;
      if (ratio >= cacheHitMinRatio) continue;
      findings.push({
        check: 'cache_hit_ratio',
        severity: 'warning',
        object: `${kind} cache of ${server.database}`,
        detail: `${formatPercent(ratio, 2)} of ${kind} block reads were served from shared_buffers (${formatCount(read)} of ${formatCount(total)} came from the OS cache or disk).`,
        recommendation: 'The working set does not fit in shared_buffers: raise shared_buffers (about 25 % of RAM), add RAM, or cut what is read (indexes for sequential scans, drop bloat).',
      });
    }
    return findings;
  },
};

export const activityChecks: InspectionCheck[] = [
  longRunningQueryCheck,
  idleInTransactionCheck,
  blockingCheck,
  connectionUsageCheck,
  cacheHitCheck,
];
