import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityReport } from '../../src/engine/db/inspections/review.js';
import { TargetDatabase } from '../../src/engine/db/target-database.js';
import { activityTool } from '../../src/tools/activity.js';
import type { ImageBlock, TableBlock } from '../../src/tools/reply.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';

describe('activity tool', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  let idle: pg.Client;
  let idlePid: number;
  const context = () => ({ target: async () => target });

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_tool_activity');
    idle = new pg.Client({ connectionString: scratch.url, application_name: 'forgot-to-commit' });
    await idle.connect();
    idlePid = (await idle.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    await idle.query('begin');
    await idle.query('select 1');
    target = await TargetDatabase.connect(scratch.url);
  });
  afterAll(async () => {
    await idle?.query('rollback').catch(() => undefined);
    await idle?.end().catch(() => undefined);
    await target?.close();
    await scratch?.drop();
  });

  it('lists sessions with their state and charts connection states', async () => {
    const result = await activityTool.run(activityTool.input.parse({ limit: 200 }), context());
    const activity = result.data as ActivityReport;
    expect(activity.sessions.find((s) => s.pid === idlePid)).toMatchObject({ state: 'idle in transaction', application: 'forgot-to-commit' });
    const sessions = result.reply.blocks.find((b): b is TableBlock => b.type === 'table' && b.title === 'Sessions (longest first)')!;
    expect(sessions.rows.find((r) => r[0] === String(idlePid))?.[3]).toBe('idle in transaction');
    expect(result.reply.blocks.find((b): b is ImageBlock => b.type === 'image')?.fileName).toBe('connection-states.png');
  });
});
