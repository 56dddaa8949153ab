/**
 * Indexes worth dropping: never scanned since statistics were reset, or redundant (their keys are
 * the leading keys of another index), and not used by any plan of the workload being advised.
 * Unique indexes and those backing constraints are never proposed: they enforce rules.
 */
import type { ExistingIndex, RelationFacts } from '../plan/relation-facts.js';
import { quoteIdent } from '../plan/relation-facts.js';

export interface IndexDropSuggestion {
  schema: string;
  table: string;
  index: string;
  kind: 'unused' | 'redundant';
  sizeBytes: number;
  reason: string;
  sql: string;
  /** Recreates the index exactly as it was. */
  rollback: string;
}

export function indexDropSuggestions(facts: RelationFacts[], usedByWorkload: Set<string>): IndexDropSuggestion[] {
  const out: IndexDropSuggestion[] = [];
  for (const f of facts) {
    for (const index of f.indexes) {
      if (index.unique || usedByWorkload.has(index.name)) continue;
      const wider = f.indexes.find((other) => other !== index && isPrefixOf(index, other));
      const kind = wider ? 'redundant' : index.scans === 0 ? 'unused' : undefined;
      if (!kind) continue;
      out.push({
        schema: f.schema,
        table: f.name,
        index: index.name,
        kind,
        sizeBytes: index.sizeBytes,
        reason: wider
          ? `Its keys (${index.keyColumns.join(', ')}) lead ${wider.name} (${wider.keyColumns.join(', ')}), which serves the same lookups; no workload query needs it.`
          : 'Never scanned since the statistics were last reset, and no workload query uses it; it still slows every write and takes space. Check replicas (their scans are not counted here) before dropping.',
        sql: `DROP INDEX CONCURRENTLY ${quoteIdent(f.schema)}.${quoteIdent(index.name)};`,
        rollback: `${index.definition.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY ')};`,
      });
    }
  }
  return out;
}

function isPrefixOf(index: ExistingIndex, other: ExistingIndex): boolean {
  if (index.method !== 'btree' || other.method !== 'btree' || index.partial || other.partial) return false;
  if (index.keyColumns.some((k) => k === null) || index.keyColumns.length > other.keyColumns.length) return false;
  if (index.keyColumns.length === other.keyColumns.length && index.name < other.name) return false;
  return index.keyColumns.every((k, i) => other.keyColumns[i] === k) && index.includeColumns.every((c) => other.keyColumns.includes(c) || other.includeColumns.includes(c));
}
