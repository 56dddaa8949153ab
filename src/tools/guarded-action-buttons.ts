/**
 * Buttons for the guarded actions a view can offer: cancel or terminate a session (activity),
 * drop an unused, duplicate or redundant index, VACUUM (ANALYZE) a table with many dead tuples.
 * A click runs `request_change` with the action and why it was offered: it creates an approval
 * request, and nothing runs until an allowed approver approves it.
 */
import type { SessionInfo } from '../engine/db/inspections/catalog/activity.js';
import { defaultThresholds, type InspectionThresholds } from '../engine/db/inspections/thresholds.js';
import type { Finding } from '../engine/db/inspections/types.js';
import { formatDuration } from './format.js';
import type { ReplyAction } from './reply.js';

export type GuardedButtonAction =
  | { kind: 'cancel_backend' | 'terminate_backend'; pid: number }
  | { kind: 'drop_index'; index: string }
  | { kind: 'vacuum_analyze'; table: string };

/** Button labels stay readable on every platform (Slack cuts at 75 characters, Discord at 80). */
const labelChars = 70;

function label(text: string): string {
  return text.length <= labelChars ? text : `${text.slice(0, labelChars - 1)}…`;
}

export function guardedActionButton(action: GuardedButtonAction, text: string, reason: string, style?: 'primary' | 'danger'): ReplyAction {
  return { id: 'request_change', label: label(text), ...(style ? { style } : {}), payload: JSON.stringify({ guardedAction: action, reason: reason.slice(0, 400) }) };
}

interface SessionCandidate {
  session: SessionInfo;
  reason: string;
  rank: number;
}

function who(session: SessionInfo): string {
  return `${session.user ?? '?'}${session.application ? `, ${session.application}` : ''}`;
}

const seconds = (value: number | null) => formatDuration((value ?? 0) * 1000);

/**
 * Cancel/Terminate buttons for the sessions that matter most: blockers (most sessions held up
 * first), then sessions idle in transaction, then long-running queries, at most `maxSessions`
 * of them (two buttons each keeps every platform's button limit). pgdba's own sessions are left out.
 */
export function sessionActions(sessions: readonly SessionInfo[], options: { maxSessions?: number; thresholds?: InspectionThresholds } = {}): ReplyAction[] {
  const thresholds = options.thresholds ?? defaultThresholds;
  const candidates = new Map<number, SessionCandidate>();
  const consider = (candidate: SessionCandidate) => {
    const known = candidates.get(candidate.session.pid);
    if (!known || known.rank < candidate.rank) candidates.set(candidate.session.pid, candidate);
  };
  for (const session of sessions) {
    if ((session.application ?? '').startsWith('pgdba')) continue;
    const waiters = sessions.filter((s) => s.blockedBy.includes(session.pid));
    if (waiters.length > 0) {
      const longest = Math.max(...waiters.map((w) => w.stateSeconds ?? 0));
      consider({ session, rank: 3_000_000 + waiters.length * 10_000 + Math.min(longest, 9_999), reason: `pid ${session.pid} (${who(session)}) has blocked ${waiters.length} session(s) for ${seconds(longest)}; it is ${session.state ?? 'in an unknown state'}.` });
    } else if ((session.state ?? '').startsWith('idle in transaction') && (session.stateSeconds ?? 0) >= thresholds.idleInTransactionSeconds) {
      consider({ session, rank: 2_000_000 + (session.stateSeconds ?? 0), reason: `pid ${session.pid} (${who(session)}) has been idle in transaction for ${seconds(session.stateSeconds)} (transaction open ${seconds(session.transactionSeconds)}), holding its locks and the vacuum horizon.` });
    } else if (session.state === 'active' && (session.querySeconds ?? 0) >= thresholds.longRunningQuerySeconds) {
      consider({ session, rank: 1_000_000 + (session.querySeconds ?? 0), reason: `pid ${session.pid} (${who(session)}) has been running one query for ${seconds(session.querySeconds)}.` });
    }
  }
  const chosen = [...candidates.values()].sort((a, b) => b.rank - a.rank).slice(0, options.maxSessions ?? 4);
  return chosen.flatMap(({ session, reason }) => [
    // Cancelling only interrupts a running query: an idle-in-transaction session keeps its locks.
    ...(session.state === 'active' ? [guardedActionButton({ kind: 'cancel_backend', pid: session.pid }, `Cancel query ${session.pid}`, reason)] : []),
    guardedActionButton({ kind: 'terminate_backend', pid: session.pid }, `Terminate ${session.pid}`, reason, 'danger'),
  ]);
}

const dropChecks = new Set(['duplicate_index', 'redundant_index', 'unused_index']);

/**
 * "Drop index" for duplicate, redundant and unused indexes (unused only once the statistics are
 * old enough for the check to warn), "VACUUM (ANALYZE)" for tables with many dead tuples.
 * Indexes that back a constraint are not offered (their SQL is an ALTER TABLE, not a drop).
 */
export function findingActions(findings: readonly Finding[], options: { maxDrops?: number; maxVacuums?: number } = {}): ReplyAction[] {
  const drops = new Map<string, ReplyAction>();
  const vacuums = new Map<string, ReplyAction>();
  for (const finding of findings) {
    if (dropChecks.has(finding.check) && /^DROP INDEX CONCURRENTLY/i.test(finding.sql ?? '') && !(finding.check === 'unused_index' && finding.severity === 'info')) {
      if (!drops.has(finding.object)) drops.set(finding.object, guardedActionButton({ kind: 'drop_index', index: finding.object }, `Drop index ${finding.object}`, finding.detail, 'danger'));
    } else if (finding.check === 'dead_tuples' && !vacuums.has(finding.object)) {
      vacuums.set(finding.object, guardedActionButton({ kind: 'vacuum_analyze', table: finding.object }, `VACUUM (ANALYZE) ${finding.object}`, finding.detail));
    }
  }
  return [...[...drops.values()].slice(0, options.maxDrops ?? 5), ...[...vacuums.values()].slice(0, options.maxVacuums ?? 3)];
}
