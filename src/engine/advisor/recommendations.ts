/**
 * Recommendations that last: every index, query, table or config change pgdba proposes, with its
 * impact, evidence, SQL and rollback script, and a status people change from chat (approve,
 * dismiss, postpone). Stored in keyv under stable ids, so advising the same thing again updates
 * the evidence without bringing back what someone dismissed.
 */
import { createHash } from 'node:crypto';
import type Keyv from 'keyv';
import type { IndexAdvice } from './advise-indexes.js';
import type { RewriteSuggestion } from './query-rewrites.js';

export type RecommendationType = 'index' | 'query' | 'table' | 'config';
export type RecommendationStatus = 'pending' | 'approved' | 'applied' | 'dismissed' | 'postponed';

export interface RecommendationEvidence {
  summary: string;
  /** Planner cost (or time) before and after, when measured. */
  before?: number;
  after?: number;
  numbers?: Record<string, number>;
  /** Text renderings of plans before/after, when available. */
  plans?: { before?: string; after?: string };
}

export interface Recommendation {
  id: string;
  type: RecommendationType;
  title: string;
  /** 0–100: how much this matters relative to the rest of the advice. */
  impactScore: number;
  estimatedSaving: { value: number; unit: 'cost' | 'ms' | 'bytes' | 'percent'; text: string };
  evidence: RecommendationEvidence;
  sql: string;
  rollback: string;
  explanation: string;
  status: RecommendationStatus;
  /** ISO time; while in the future the recommendation is hidden from the pending list. */
  postponedUntil?: string;
  statusReason?: string;
  /** The database it applies to (label, never the password). */
  target?: string;
  createdAt: string;
  updatedAt: string;
}

export type NewRecommendation = Omit<Recommendation, 'id' | 'status' | 'createdAt' | 'updatedAt' | 'postponedUntil' | 'statusReason'> & {
  /** What makes two recommendations the same (defaults to type + target + sql). */
  identity?: string;
};

const indexKey = 'recommendation-ids';

export class RecommendationNotFoundError extends Error {
  constructor(id: string) {
    super(`No recommendation with id "${id}"; list them to see the ids.`);
    this.name = 'RecommendationNotFoundError';
  }
}

export class RecommendationStore {
  constructor(
    private readonly keyv: Keyv,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Adds or refreshes a recommendation; an existing one keeps its status and creation time. */
  async upsert(input: NewRecommendation): Promise<Recommendation> {
    const { identity, ...fields } = input;
    const id = recommendationId(identity ?? `${input.type}|${input.target ?? ''}|${input.sql}`);
    const existing = await this.get(id);
    const time = this.now().toISOString();
    const record: Recommendation = existing
      ? { ...existing, ...fields, id, updatedAt: time }
      : { ...fields, id, status: 'pending', createdAt: time, updatedAt: time };
    await this.keyv.set(id, record);
    if (!existing) {
      const ids = ((await this.keyv.get(indexKey)) as string[] | undefined) ?? [];
      await this.keyv.set(indexKey, [...ids, id]);
    }
    return record;
  }

  async get(id: string): Promise<Recommendation | undefined> {
    return ((await this.keyv.get(id)) as Recommendation | undefined) ?? undefined;
  }

  /**
   * Recommendations by impact. By default the actionable ones: pending, approved, and postponed
   * ones whose date has passed (they count as pending again).
   */
  async list(filter: { status?: RecommendationStatus | 'all'; type?: RecommendationType } = {}): Promise<Recommendation[]> {
    const ids = ((await this.keyv.get(indexKey)) as string[] | undefined) ?? [];
    const now = this.now().getTime();
    const all = (await Promise.all(ids.map((id) => this.get(id)))).filter((r): r is Recommendation => r !== undefined).map((r) => this.effective(r, now));
    return all
      .filter((r) => (filter.type ? r.type === filter.type : true))
      .filter((r) => {
        if (filter.status === 'all') return true;
        if (filter.status) return r.status === filter.status;
        return r.status === 'pending' || r.status === 'approved';
      })
      .sort((a, b) => b.impactScore - a.impactScore || a.createdAt.localeCompare(b.createdAt));
  }

  async setStatus(id: string, status: RecommendationStatus, options: { until?: Date; reason?: string } = {}): Promise<Recommendation> {
    const existing = await this.get(id);
    if (!existing) throw new RecommendationNotFoundError(id);
    if (status === 'postponed' && !options.until) throw new Error('Postponing needs a date to bring the recommendation back.');
    const { postponedUntil: _p, statusReason: _r, ...rest } = existing;
    const record: Recommendation = {
      ...rest,
      status,
      ...(status === 'postponed' ? { postponedUntil: options.until!.toISOString() } : {}),
      ...(options.reason ? { statusReason: options.reason } : {}),
      updatedAt: this.now().toISOString(),
    };
    await this.keyv.set(id, record);
    return record;
  }

  dismiss(id: string, reason?: string): Promise<Recommendation> {
    return this.setStatus(id, 'dismissed', reason ? { reason } : {});
  }

  postpone(id: string, until: Date, reason?: string): Promise<Recommendation> {
    return this.setStatus(id, 'postponed', { until, ...(reason ? { reason } : {}) });
  }

  private effective(r: Recommendation, now: number): Recommendation {
    if (r.status === 'postponed' && r.postponedUntil && Date.parse(r.postponedUntil) <= now) return { ...r, status: 'pending' };
    return r;
  }
}

/** Short stable id people can type: "rec-" + 8 hex characters. */
export function recommendationId(identity: string): string {
  return `rec-${createHash('sha256').update(identity).digest('hex').slice(0, 8)}`;
}

/** Index advice (creations and drops) as recommendations. */
export function indexAdviceRecommendations(advice: IndexAdvice, target?: string): NewRecommendation[] {
  const total = advice.totals.baselineCost || 1;
  const creations: NewRecommendation[] = advice.recommendations.map((rec) => {
    const saving = rec.saving ?? 0;
    const share = Math.max(0, Math.min(1, saving / total));
    return {
      type: 'index',
      title: `Create index ${rec.name} on ${rec.schema}.${rec.table} (${rec.columns.join(', ')})${rec.include.length ? ` INCLUDE (${rec.include.join(', ')})` : ''}${rec.where ? ` WHERE ${rec.where}` : ''}`,
      impactScore: rec.verified ? Math.round(share * 100) : 10,
      estimatedSaving: rec.verified
        ? { value: Math.round(share * 1000) / 10, unit: 'percent', text: `${(share * 100).toFixed(1)} % of the workload's weighted planner cost` }
        : { value: 0, unit: 'percent', text: 'not measured (hypopg unavailable)' },
      evidence: {
        summary: rec.verified
          ? `Verified with hypopg: the planner uses it for ${rec.queriesHelped.length} quer${rec.queriesHelped.length === 1 ? 'y' : 'ies'}; estimated size ${Math.round((rec.sizeBytes ?? 0) / 1024)} kB.`
          : 'Heuristic candidate from the query text; not verified by the planner.',
        ...(rec.queriesHelped[0] ? { before: rec.queriesHelped[0].before, after: rec.queriesHelped[0].after } : {}),
        numbers: { queriesHelped: rec.queriesHelped.length, sizeBytes: rec.sizeBytes ?? 0, writeOverhead: rec.writeOverhead ?? 0 },
      },
      sql: rec.sql,
      rollback: rec.rollback,
      explanation: `${rec.reasons.join('; ')}. CREATE INDEX CONCURRENTLY builds it without blocking writes (it cannot run inside a transaction block).`,
      ...(target ? { target } : {}),
    };
  });
  const drops: NewRecommendation[] = advice.drops.map((drop) => ({
    type: 'index',
    title: `Drop ${drop.kind} index ${drop.schema}.${drop.index}`,
    impactScore: Math.min(40, Math.round(Math.log10(drop.sizeBytes + 1) * 4)),
    estimatedSaving: { value: drop.sizeBytes, unit: 'bytes', text: `${Math.round(drop.sizeBytes / 1024)} kB of disk and its write overhead` },
    evidence: { summary: drop.reason, numbers: { sizeBytes: drop.sizeBytes } },
    sql: drop.sql,
    rollback: drop.rollback,
    explanation: drop.reason,
    ...(target ? { target } : {}),
  }));
  return [...creations, ...drops];
}

/** A rewrite suggestion for one query as a recommendation (costs measured by the caller, if any). */
export function rewriteRecommendation(
  query: string,
  suggestion: RewriteSuggestion,
  costs?: { before: number; after: number },
  target?: string,
): NewRecommendation {
  const share = costs && costs.before > 0 ? Math.max(0, (costs.before - costs.after) / costs.before) : 0;
  return {
    type: 'query',
    identity: `query|${target ?? ''}|${suggestion.kind}|${query}`,
    title: suggestion.title,
    impactScore: costs ? Math.round(share * 100) : 20,
    estimatedSaving: costs
      ? { value: Math.round(share * 1000) / 10, unit: 'percent', text: `planner cost ${costs.before.toFixed(0)} → ${costs.after.toFixed(0)}` }
      : { value: 0, unit: 'percent', text: 'not measured' },
    evidence: { summary: `Detected in: ${query.length > 200 ? `${query.slice(0, 200)}…` : query}`, ...(costs ? { before: costs.before, after: costs.after } : {}) },
    sql: suggestion.rewrittenSql ?? suggestion.supportingSql ?? '',
    rollback: suggestion.supportingSql && !suggestion.rewrittenSql ? '-- drop the index created above' : '-- keep the original query text',
    explanation: suggestion.explanation,
    ...(target ? { target } : {}),
  };
}
