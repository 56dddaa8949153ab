import { describe, expect, it } from 'vitest';
import { candidatesFor, covers, indexDefinition, mergeCandidates } from '../../../src/engine/advisor/index-candidates.js';
import { queryPredicates } from '../../../src/engine/advisor/query-predicates.js';
import { parseExplainable } from '../../../src/engine/plan/index.js';
import type { ExistingIndex, RelationFacts } from '../../../src/engine/plan/relation-facts.js';

// Catalog facts as readRelationFacts returns them, for a table with no index but its key.
const orders: RelationFacts = {
  schema: 'public', name: 'orders', reltuples: 1_000_000, sizeBytes: 1e8, liveTuples: 1_000_000, modifiedSinceAnalyze: 0, lastAnalyzed: null, writes: 0,
  columnCount: 6,
  columns: ['id', 'customer_id', 'status', 'created_at', 'total', 'note'].map((name) => ({ name, type: 'integer' })),
  indexes: [],
};
// n_distinct as pg_stats gives it: customer_id is selective, status has 3 values.
const distinct = (_schema: string, _table: string, column: string) => ({ customer_id: 50_000, status: 3, created_at: -1, total: 1000 } as Record<string, number>)[column];

async function candidates(sql: string, facts = [orders]) {
  const statement = await parseExplainable(sql);
  const predicates = queryPredicates(statement.tree, (t) => facts.find((f) => f.name === t.name)?.columns.map((c) => c.name));
  return mergeCandidates(candidatesFor(predicates, facts, distinct), facts).map((c) => indexDefinition(c));
}

describe('index candidates from the parse tree', () => {
  it('puts equality columns first, most selective first, then the range column', async () => {
    const list = await candidates("select id from orders where created_at > now() - interval '1 day' and status = 'open' and customer_id = 5");
    expect(list[0]).toBe('CREATE INDEX ON public.orders (customer_id, status, created_at)');
  });

  it('proposes a partial index for a constant on a low-cardinality column, and INCLUDE for the columns read', async () => {
    const list = await candidates("select total from orders where status = 'open' and customer_id = 5");
    expect(list).toContain("CREATE INDEX ON public.orders (customer_id) WHERE status = 'open'");
    expect(list).toContain('CREATE INDEX ON public.orders (customer_id, status) INCLUDE (total)');
  });

  it('follows ORDER BY after the equality columns, keeping its direction', async () => {
    const list = await candidates('select * from orders where customer_id = 5 order by created_at desc limit 10');
    expect(list).toContain('CREATE INDEX ON public.orders (customer_id, created_at DESC)');
  });

  it('drops candidates an existing index serves, equality columns in any order', async () => {
    const existing: ExistingIndex = {
      name: 'orders_status_customer', keyColumns: ['status', 'customer_id', 'created_at'], includeColumns: [], method: 'btree', unique: false, partial: false,
      definition: 'CREATE INDEX orders_status_customer ON public.orders USING btree (status, customer_id, created_at)', sizeBytes: 1, scans: 1,
    };
    const list = await candidates("select id from orders where status = 'open' and customer_id = 5 and created_at > now()", [{ ...orders, indexes: [existing] }]);
    expect(list).not.toContain('CREATE INDEX ON public.orders (customer_id, status, created_at)');
    expect(covers(existing, { id: 'x', schema: 'public', table: 'orders', keys: [{ column: 'created_at' }], equalityPrefix: 0, include: [], reasons: [] })).toBe(false);
  });
});
