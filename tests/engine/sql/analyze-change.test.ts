import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetDatabase } from '../../../src/engine/db/target-database.js';
import { analyzeChange } from '../../../src/engine/sql/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

let db: ScratchDatabase;
let target: TargetDatabase;

beforeAll(async () => {
  db = await createScratchDatabase('pgdba_sqlcat');
  await db.admin.query(`
    create table events (id bigint primary key, kind text, at timestamptz);
    insert into events select g, 'k' || (g % 10), now() from generate_series(1, 20000) g;
    create index events_kind_idx on events (kind);
    create table "MixedCase" (id bigint);
    insert into "MixedCase" select generate_series(1, 100);
    analyze "MixedCase";
    analyze events;
    select count(*) from events;
    create function stable_label(int) returns text language sql stable as 'select ''x'' || $1';
    create function writes_row() returns int language sql volatile as 'insert into events values (0, null, null) returning 1';
  `);
  target = await TargetDatabase.connect(db.url);
});

afterAll(async () => {
  await target.close();
  await db.drop();
});

describe('analyzeChange with the target catalog', () => {
  it('states the lock, the table size and a duration estimate for an index build', async () => {
    const analysis = await analyzeChange('create index concurrently events_at_idx on events (at)', { target });
    const size = (await db.admin.query<{ bytes: string }>("select pg_total_relation_size('events')::text as bytes")).rows[0]!.bytes;
    expect(analysis.impact.relations).toEqual([{ name: 'events', table: 'events', bytes: Number(size), rows: 20000 }]);
    expect(analysis.impact.strongestLock).toBe('SHARE UPDATE EXCLUSIVE');
    expect(analysis.impact.summary).toMatch(/^Takes SHARE UPDATE EXCLUSIVE on events \(\d+\.\d MB, ~20,000 rows\): reads and writes continue.* Estimated duration: under a second/);
    expect(analysis.lint.map((f) => f.rule)).toEqual(['missing-lock-timeout']);
  });

  it('trusts a STABLE user function and distrusts a VOLATILE one, from pg_proc', async () => {
    expect((await analyzeChange('select stable_label(1)', { target })).class).toBe('read-only');
    expect((await analyzeChange('select writes_row()', { target })).class).toBe('unsafe');
    expect((await analyzeChange('select stable_label(1)')).class).toBe('unsafe');
  });

  it('derives the rollback of DROP INDEX from the index definition', async () => {
    const analysis = await analyzeChange('drop index concurrently events_kind_idx', { target });
    expect(analysis.rollback.statements).toEqual(['CREATE INDEX CONCURRENTLY events_kind_idx ON public.events USING btree (kind)']);
    expect(analysis.impact.relations[0]!.table).toBe('events');
  });

  it('finds quoted mixed-case tables', async () => {
    const analysis = await analyzeChange('create index concurrently mixed_idx on "MixedCase" (id)', { target });
    expect(analysis.impact.relations).toMatchObject([{ name: 'MixedCase', table: '"MixedCase"', rows: 100 }]);
  });

  it('reports an unparsable change as unsafe with the parser message', async () => {
    const analysis = await analyzeChange('create index on', { target });
    expect(analysis.class).toBe('unsafe');
    expect(analysis.impact.summary).toMatch(/^Unsafe: the SQL does not parse: syntax error at end of input/);
  });
});
