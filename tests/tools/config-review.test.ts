import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigurationReview } from '../../src/engine/db/inspections/review.js';
import { TargetDatabase } from '../../src/engine/db/target-database.js';
import { configReviewTool } from '../../src/tools/config-review.js';
import type { TableBlock } from '../../src/tools/reply.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/database.js';

describe('config_review tool', () => {
  let scratch: ScratchDatabase;
  let target: TargetDatabase;
  const context = () => ({ target: async () => target });

  beforeAll(async () => {
    scratch = await createScratchDatabase('pgdba_tool_config');
    await scratch.admin.query(`alter database ${scratch.name} set random_page_cost = 1.5`);
    target = await TargetDatabase.connect(scratch.url);
  });
  afterAll(async () => {
    await target?.close();
    await scratch?.drop();
  });

  it('lists non-default settings with where they were set', async () => {
    const result = await configReviewTool.run(configReviewTool.input.parse({}), context());
    expect((result.data as ConfigurationReview).nonDefault.find((s) => s.name === 'random_page_cost')).toMatchObject({ value: '1.5', source: 'database' });
    const settings = result.reply.blocks.find((b): b is TableBlock => b.type === 'table' && b.title === 'Non-default settings')!;
    expect(settings.rows.find((r) => r[0] === 'random_page_cost')).toEqual(['random_page_cost', '1.5', '4', 'database']);
  });
});
