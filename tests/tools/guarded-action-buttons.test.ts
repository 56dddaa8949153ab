/** Which guarded actions a view offers: the sessions that matter most first, within the button limits. */
import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../src/engine/db/inspections/catalog/activity.js';
import type { Finding } from '../../src/engine/db/inspections/types.js';
import { findingActions, sessionActions } from '../../src/tools/guarded-action-buttons.js';

function session(pid: number, fields: Partial<SessionInfo>): SessionInfo {
  return {
    pid, user: 'app', database: 'shop', application: 'web', client: null, backendType: 'client backend', state: 'idle',
    waitEventType: null, waitEvent: null, querySeconds: 1, transactionSeconds: null, stateSeconds: 1, query: 'select 1', blockedBy: [], ...fields,
  };
}

const payload = (p: string) => JSON.parse(p) as { guardedAction: Record<string, unknown>; reason: string };

describe('sessionActions', () => {
  const sessions = [
    session(10, { state: 'active', querySeconds: 600 }),
    session(11, { state: 'idle in transaction', stateSeconds: 300, transactionSeconds: 320 }),
    session(12, { state: 'idle in transaction', stateSeconds: 5 }),
    session(13, { state: 'active', querySeconds: 20 }),
    session(20, { state: 'active', querySeconds: 40, waitEventType: 'Lock', blockedBy: [12], stateSeconds: 40 }),
    session(21, { state: 'active', querySeconds: 90, waitEventType: 'Lock', blockedBy: [12], stateSeconds: 90 }),
    session(22, { state: 'active', querySeconds: 30, waitEventType: 'Lock', blockedBy: [13], stateSeconds: 30 }),
    session(30, { state: 'active', querySeconds: 9000, application: 'pgdba-executor' }),
  ];

  it('offers blockers first (most held up first), then idle in transaction, then long queries; never pgdba itself', () => {
    const actions = sessionActions(sessions);
    expect(actions.map((a) => a.label)).toEqual(['Terminate 12', 'Cancel query 13', 'Terminate 13', 'Terminate 11', 'Cancel query 10', 'Terminate 10']);
    expect(actions.every((a) => a.id === 'request_change')).toBe(true);
    expect(payload(actions[0]!.payload)).toEqual({ guardedAction: { kind: 'terminate_backend', pid: 12 }, reason: 'pid 12 (app, web) has blocked 2 session(s) for 90.0 s; it is idle in transaction.' });
    expect(payload(actions[3]!.payload).reason).toMatch(/^pid 11 \(app, web\) has been idle in transaction for 5\.0 min/);
    expect(payload(actions[4]!.payload)).toMatchObject({ guardedAction: { kind: 'cancel_backend', pid: 10 } });
  });

  it('stays within the button limits by offering the first few sessions only', () => {
    expect(new Set(sessionActions(sessions, { maxSessions: 2 }).map((a) => payload(a.payload).guardedAction.pid))).toEqual(new Set([12, 13]));
    expect(sessionActions([session(1, {}), session(2, { state: 'active', querySeconds: 3 })])).toEqual([]);
  });
});

describe('findingActions', () => {
  const finding = (check: string, object: string, extra: Partial<Finding> = {}): Finding => ({ check, severity: 'warning', object, detail: `${object} detail`, recommendation: '', ...extra });

  it('offers Drop for duplicate, redundant and matured unused indexes, and VACUUM for dead tuples, once each', () => {
    const actions = findingActions([
      finding('duplicate_index', 'public.a_copy', { sql: 'DROP INDEX CONCURRENTLY public.a_copy;' }),
      finding('unused_index', 'public.a_copy', { sql: 'DROP INDEX CONCURRENTLY public.a_copy;' }),
      finding('unused_index', 'public.young', { severity: 'info', sql: 'DROP INDEX CONCURRENTLY public.young;' }),
      finding('redundant_index', 'public.b_prefix', { sql: 'DROP INDEX CONCURRENTLY public.b_prefix;' }),
      finding('duplicate_index', 'public.t_key', { sql: 'ALTER TABLE public.t DROP CONSTRAINT t_key;' }),
      finding('dead_tuples', 'public.events', { sql: 'VACUUM (ANALYZE, VERBOSE) public.events;' }),
      finding('table_bloat', 'public.events'),
    ]);
    expect(actions.map((a) => a.label)).toEqual(['Drop index public.a_copy', 'Drop index public.b_prefix', 'VACUUM (ANALYZE) public.events']);
    expect(payload(actions[0]!.payload)).toEqual({ guardedAction: { kind: 'drop_index', index: 'public.a_copy' }, reason: 'public.a_copy detail' });
    expect(payload(actions[2]!.payload).guardedAction).toEqual({ kind: 'vacuum_analyze', table: 'public.events' });
  });
});
