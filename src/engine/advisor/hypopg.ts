/**
 * hypopg: hypothetical indexes the planner considers in this session only. Creating the extension
 * is a write (and needs a privileged role), so pgdba never does it; it says how. Once created,
 * hypopg_create_index works in a read-only analysis session (verified on PostgreSQL 15 with
 * hypopg 1.3.1) because it only touches backend memory.
 */
import type { AnalysisSession, TargetDatabase } from '../db/target-database.js';

export type HypopgState = 'ready' | 'not-created' | 'not-installed';

export interface HypopgStatus {
  state: HypopgState;
  version?: string;
  /** What to do to enable it, for people. */
  howToEnable?: string;
}

export async function hypopgStatus(target: TargetDatabase, signal?: AbortSignal): Promise<HypopgStatus> {
  const { rows } = await target.query<{ created: string | null; available: string | null; major: string }>(
    `select (select extversion from pg_extension where extname = 'hypopg') as created,
            (select default_version from pg_available_extensions where name = 'hypopg') as available,
            current_setting('server_version_num')::int / 10000 as major`,
    [],
    { signal },
  );
  const row = rows[0]!;
  if (row.created) return { state: 'ready', version: row.created };
  if (row.available) {
    return {
      state: 'not-created',
      version: row.available,
      howToEnable: 'hypopg is installed on the server but not created in this database: a superuser (or the database owner, where allowed) runs `CREATE EXTENSION hypopg;` once. It adds functions only; hypothetical indexes live in session memory and never touch tables.',
    };
  }
  return {
    state: 'not-installed',
    howToEnable: `hypopg is not installed on the server: install the package (Debian/Ubuntu: \`apt-get install postgresql-${row.major}-hypopg\`; RHEL: \`dnf install hypopg_${row.major}\`; or build from https://github.com/HypoPG/hypopg), then run \`CREATE EXTENSION hypopg;\` in this database.`,
  };
}

export interface HypotheticalIndex {
  oid: number;
  name: string;
  sizeBytes: number;
}

/** Hypothetical indexes of one session, created and dropped by key so what-if runs reuse them. */
export class HypotheticalIndexes {
  private readonly live = new Map<string, HypotheticalIndex>();
  private readonly sizes = new Map<string, number>();

  constructor(private readonly session: AnalysisSession) {}

  /** Makes exactly `wanted` (key -> CREATE INDEX statement) exist, creating and dropping as needed. */
  async ensure(wanted: Map<string, string>): Promise<Map<string, HypotheticalIndex>> {
    for (const [key, index] of [...this.live]) {
      if (!wanted.has(key)) {
        await this.session.query('select hypopg_drop_index($1)', [index.oid]);
        this.live.delete(key);
      }
    }
    for (const [key, definition] of wanted) {
      if (this.live.has(key)) continue;
      const { rows } = await this.session.query<{ indexrelid: number; indexname: string }>('select indexrelid, indexname from hypopg_create_index($1)', [definition]);
      const created = rows[0];
      if (!created) throw new Error(`hypopg could not create ${definition}`);
      let size = this.sizes.get(key);
      if (size === undefined) {
        const sized = await this.session.query<{ size: string }>('select hypopg_relation_size($1)::text as size', [created.indexrelid]);
        size = Number(sized.rows[0]?.size ?? 0);
        this.sizes.set(key, size);
      }
      this.live.set(key, { oid: created.indexrelid, name: created.indexname, sizeBytes: size });
    }
    return new Map(this.live);
  }

  sizeOf(key: string): number | undefined {
    return this.sizes.get(key);
  }

  async reset(): Promise<void> {
    this.live.clear();
    await this.session.query('select hypopg_reset()');
  }
}
