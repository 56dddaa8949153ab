import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { RecommendationStore, type Recommendation } from '../../src/engine/advisor/index.js';
import { dismissRecommendationTool } from '../../src/tools/dismiss-recommendation.js';
import { listRecommendationsTool } from '../../src/tools/list-recommendations.js';
import type { TableBlock } from '../../src/tools/reply.js';
import { ToolInputError } from '../../src/tools/tool.js';

// These tools need no database: the context's target is never opened.
const noTarget = async () => {
  throw new Error('not used');
};

async function seeded() {
  const recommendations = new Keyv();
  const store = new RecommendationStore(recommendations);
  const make = (name: string, impactScore: number) =>
    store.upsert({
      type: 'index', title: `Create index ${name}`, impactScore, estimatedSaving: { value: impactScore, unit: 'percent', text: `${impactScore} %` },
      evidence: { summary: 'verified' }, sql: `CREATE INDEX CONCURRENTLY ${name} ON t (a);`, rollback: `DROP INDEX CONCURRENTLY IF EXISTS ${name};`, explanation: '…',
    });
  const high = await make('high', 70);
  const low = await make('low', 20);
  return { recommendations, high, low };
}

describe('list_recommendations and dismiss_recommendation tools', () => {
  it('lists open recommendations by impact, and a dismissed one disappears', async () => {
    const { recommendations, high, low } = await seeded();
    const context = { target: noTarget, recommendations };
    const listed = await listRecommendationsTool.run(listRecommendationsTool.input.parse({}), context);
    const table = listed.reply.blocks.find((b): b is TableBlock => b.type === 'table')!;
    expect(table.rows.map((r) => r[0])).toEqual([high.id, low.id]);
    await dismissRecommendationTool.run(dismissRecommendationTool.input.parse({ id: high.id, reason: 'not now' }), context);
    const after = await listRecommendationsTool.run(listRecommendationsTool.input.parse({}), context);
    expect((after.data as { recommendations: Recommendation[] }).recommendations.map((r) => r.id)).toEqual([low.id]);
    const dismissed = await listRecommendationsTool.run(listRecommendationsTool.input.parse({ status: 'dismissed' }), context);
    expect((dismissed.data as { recommendations: Recommendation[] }).recommendations[0]).toMatchObject({ id: high.id, statusReason: 'not now' });
  });

  it('postpones until a future date', async () => {
    const { recommendations, low } = await seeded();
    const result = await dismissRecommendationTool.run(dismissRecommendationTool.input.parse({ id: low.id, until: '2999-01-01' }), { target: noTarget, recommendations });
    expect((result.data as { recommendation: Recommendation }).recommendation).toMatchObject({ status: 'postponed', postponedUntil: '2999-01-01T00:00:00.000Z' });
    await expect(dismissRecommendationTool.run(dismissRecommendationTool.input.parse({ id: low.id, until: '2000-01-01' }), { target: noTarget, recommendations })).rejects.toThrow(/not in the future/);
  });

  it('gives clear errors for unknown ids, malformed ids and a missing store', async () => {
    const { recommendations } = await seeded();
    await expect(dismissRecommendationTool.run({ id: 'rec-00000000' }, { target: noTarget, recommendations })).rejects.toBeInstanceOf(ToolInputError);
    expect(dismissRecommendationTool.input.safeParse({ id: 'drop table x' }).success).toBe(false);
    await expect(listRecommendationsTool.run(listRecommendationsTool.input.parse({}), { target: noTarget })).rejects.toThrow(/not stored in this setup/);
  });
});
