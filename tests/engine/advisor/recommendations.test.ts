import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { RecommendationNotFoundError, RecommendationStore, type NewRecommendation } from '../../../src/engine/advisor/recommendations.js';

const index = (name: string, impactScore: number): NewRecommendation => ({
  type: 'index',
  title: `Create index ${name}`,
  impactScore,
  estimatedSaving: { value: impactScore, unit: 'percent', text: `${impactScore} %` },
  evidence: { summary: 'verified', before: 100, after: 10 },
  sql: `CREATE INDEX CONCURRENTLY ${name} ON t (a);`,
  rollback: `DROP INDEX CONCURRENTLY IF EXISTS ${name};`,
  explanation: 'because',
  target: 'db',
});

describe('recommendation store', () => {
  it('lists pending recommendations by impact, each with SQL and rollback', async () => {
    const store = new RecommendationStore(new Keyv());
    await store.upsert(index('small', 5));
    const big = await store.upsert(index('big', 80));
    expect(big).toMatchObject({ status: 'pending', id: expect.stringMatching(/^rec-[0-9a-f]{8}$/) });
    const listed = await store.list();
    expect(listed.map((r) => r.title)).toEqual(['Create index big', 'Create index small']);
    expect(listed[0]!.rollback).toBe('DROP INDEX CONCURRENTLY IF EXISTS big;');
  });

  it('keeps a dismissal when the same advice comes again', async () => {
    const keyv = new Keyv();
    const store = new RecommendationStore(keyv);
    const first = await store.upsert(index('a', 50));
    await store.dismiss(first.id, 'we know');
    const again = await store.upsert({ ...index('a', 60), evidence: { summary: 'newer' } });
    expect(again).toMatchObject({ id: first.id, status: 'dismissed', statusReason: 'we know', impactScore: 60 });
    expect(await store.list()).toEqual([]);
    expect((await new RecommendationStore(keyv).list({ status: 'dismissed' })).map((r) => r.id)).toEqual([first.id]);
  });

  it('hides a postponed recommendation until its date, then shows it as pending', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const store = new RecommendationStore(new Keyv(), () => now);
    const rec = await store.upsert(index('later', 30));
    await store.postpone(rec.id, new Date('2026-01-08T00:00:00Z'));
    expect(await store.list()).toEqual([]);
    expect((await store.list({ status: 'postponed' }))[0]?.postponedUntil).toBe('2026-01-08T00:00:00.000Z');
    now = new Date('2026-01-09T00:00:00Z');
    expect((await store.list()).map((r) => [r.id, r.status])).toEqual([[rec.id, 'pending']]);
  });

  it('says which id is unknown', async () => {
    const store = new RecommendationStore(new Keyv());
    await expect(store.dismiss('rec-00000000')).rejects.toBeInstanceOf(RecommendationNotFoundError);
    await expect(store.dismiss('rec-00000000')).rejects.toThrow('No recommendation with id "rec-00000000"');
  });
});
