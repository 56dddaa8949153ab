/** A real database, a keyv store over a shared backing map (so "restarts" and "replicas" share state), and workflows on it. */
import Keyv from 'keyv';
import { TargetDatabase } from '../../../src/engine/db/target-database.js';
import { createApprovalWorkflow, type ApprovalWorkflow, type ChatUser } from '../../../src/bot/approvals/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

export const alice: ChatUser = { platform: 'slack', id: 'UALICE', name: 'alice' };
export const bob: ChatUser = { platform: 'slack', id: 'UBOB', name: 'bob' };
export const carol: ChatUser = { platform: 'slack', id: 'UCAROL', name: 'carol', groups: ['SDBAS'] };
export const eve: ChatUser = { platform: 'slack', id: 'UEVE', name: 'eve' };
export const approvers = 'slack:UBOB,slack:UALICE,slack:group:SDBAS,discord:role:42';

export interface Fixture {
  db: ScratchDatabase;
  target: TargetDatabase;
  backing: Map<string, unknown>;
  clock: { now: Date };
  workflow(options?: { requiredApprovals?: number; replicaId?: string; claimSettleMs?: number; recommendations?: Keyv }): ApprovalWorkflow;
  close(): Promise<void>;
}

export async function createFixture(prefix: string): Promise<Fixture> {
  const db = await createScratchDatabase(prefix);
  await db.admin.query(`
    create table orders (id bigint primary key, customer_id int not null, note text);
    insert into orders select g, g % 5000, md5(g::text) from generate_series(1, 60000) g;
    create sequence s;
    analyze orders;
  `);
  const target = await TargetDatabase.connect(db.url);
  const backing = new Map<string, unknown>();
  const clock = { now: new Date() };
  return {
    db,
    target,
    backing,
    clock,
    workflow(options = {}) {
      // A new Keyv over the same backing map is what a restarted process or a second replica sees.
      const store = new Keyv({ store: backing, namespace: 'approvals' });
      const audit = new Keyv({ store: backing, namespace: 'audit' });
      return createApprovalWorkflow(
        {
          PGDBA_APPROVERS: approvers,
          databaseUrl: db.url,
          requiredApprovals: options.requiredApprovals ?? 1,
          claimSettleMs: options.claimSettleMs ?? 5,
          executor: { lockTimeoutMs: 200, maxAttempts: 2, backoffMs: () => 10, progressIntervalMs: 50 },
        },
        { approvals: store, audit },
        { target: async () => target, now: () => clock.now, ...(options.replicaId ? { replicaId: options.replicaId } : {}), ...(options.recommendations ? { recommendations: options.recommendations } : {}) },
      );
    },
    async close() {
      await target.close();
      await db.drop();
    },
  };
}

export async function indexValid(db: ScratchDatabase, name: string): Promise<boolean | undefined> {
  const result = await db.admin.query<{ valid: boolean }>('select indisvalid as valid from pg_index where indexrelid = to_regclass($1)', [name]);
  return result.rows[0]?.valid;
}
