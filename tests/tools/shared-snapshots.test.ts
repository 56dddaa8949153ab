/**
 * The read-only tools asked again within a few seconds answer from the same catalog reading
 * and say when it was read; a fresh reading follows once the snapshot is gone.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { snapshotsOf } from '../../src/engine/db/inspections/snapshot-cache.js';
import { TargetDatabase } from '../../src/engine/db/target-database.js';
import { largestTablesTool } from '../../src/tools/largest-tables.js';
import { listIndexesTool } from '../../src/tools/list-indexes.js';
import type { Reply } from '../../src/tools/reply.js';
import { serverOverviewTool } from '../../src/tools/server-overview.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';

const asOfNote = /^As of \d\d:\d\d:\d\d UTC: read for a question asked just before/;
const notes = (reply: Reply) => reply.blocks.flatMap((block) => (block.type === 'context' ? [block.text] : []));

describe('shared catalog snapshots in the read-only tools', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  const context = () => ({ target: async () => target });

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_tool_snapshots');
    await scratch.admin.query('create table orders (id int primary key, total int); insert into orders select g, g from generate_series(1, 1000) g;');
    target = await TargetDatabase.connect(scratch.url);
  });
  beforeEach(() => snapshotsOf(target).clear());
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('largest_tables: the second question gets the first reading, marked with its time', async () => {
    const first = await largestTablesTool.run(largestTablesTool.input.parse({}), context());
    await scratch.admin.query('create table audit (id int primary key, payload text); insert into audit select g, repeat(md5(g::text), 20) from generate_series(1, 2000) g;');
    const second = await largestTablesTool.run(largestTablesTool.input.parse({}), context());
    expect(notes(first.reply).some((note) => asOfNote.test(note))).toBe(false);
    expect(notes(second.reply)).toEqual(expect.arrayContaining([expect.stringMatching(asOfNote)]));
    expect(second.data).toEqual(first.data);

    snapshotsOf(target).clear();
    const fresh = await largestTablesTool.run(largestTablesTool.input.parse({}), context());
    expect((fresh.data as { tables: { table: string }[] }).tables.map((t) => t.table)).toContain('audit');
    expect(notes(fresh.reply).some((note) => asOfNote.test(note))).toBe(false);
  });

  it('server_overview and list_indexes say so too when they answer from a shared reading', async () => {
    await serverOverviewTool.run({}, context());
    await listIndexesTool.run(listIndexesTool.input.parse({}), context());
    expect(notes((await serverOverviewTool.run({}, context())).reply)).toEqual(expect.arrayContaining([expect.stringMatching(asOfNote)]));
    expect(notes((await listIndexesTool.run(listIndexesTool.input.parse({}), context())).reply)).toEqual(expect.arrayContaining([expect.stringMatching(asOfNote)]));
  });

  it('a cancellable question always reads for itself', async () => {
    await largestTablesTool.run(largestTablesTool.input.parse({}), context());
    const own = await largestTablesTool.run(largestTablesTool.input.parse({}), { ...context(), signal: new AbortController().signal });
    expect(notes(own.reply).some((note) => asOfNote.test(note))).toBe(false);
  });
});
