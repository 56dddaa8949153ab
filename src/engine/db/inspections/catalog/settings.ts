/** pg_settings in one query: the configuration checks and several thresholds read from it. */
import type { CatalogReader } from './catalog-reader.js';

export interface ServerSetting {
  name: string;
  setting: string;
  unit: string | null;
  bootValue: string | null;
  resetValue: string | null;
  source: string;
  sourceFile: string | null;
  context: string;
  type: string;
  pendingRestart: boolean;
}

interface SettingRow {
  name: string;
  setting: string;
  unit: string | null;
  boot_val: string | null;
  reset_val: string | null;
  source: string;
  sourcefile: string | null;
  context: string;
  vartype: string;
  pending_restart: boolean | null;
}

export class ServerSettings {
  private readonly byName: Map<string, ServerSetting>;

  constructor(readonly all: ServerSetting[]) {
    this.byName = new Map(all.map((s) => [s.name, s]));
  }

  get(name: string): ServerSetting | undefined {
    return this.byName.get(name);
  }

  text(name: string): string | undefined {
    return this.byName.get(name)?.setting;
  }

  number(name: string): number | undefined {
    const value = this.byName.get(name)?.setting;
    return value === undefined || value === '' ? undefined : Number(value);
  }

  /** Value in bytes for memory settings (unit "8kB", "kB", "MB"). */
  bytes(name: string): number | undefined {
    const setting = this.byName.get(name);
    if (!setting) return undefined;
    const value = Number(setting.setting);
    if (value < 0) return value;
    return value * unitBytes(setting.unit);
  }
}

export function unitBytes(unit: string | null): number {
  switch (unit) {
    case 'B': return 1;
    case 'kB': return 1024;
    case '8kB': return 8192;
    case '16kB': return 16384;
    case 'MB': return 1024 * 1024;
    case 'GB': return 1024 * 1024 * 1024;
    default: return 1;
  }
}

export async function readSettings(reader: CatalogReader): Promise<ServerSettings> {
  const rows = await reader.rows<SettingRow>(
    `select name, setting, unit, boot_val, reset_val, source, sourcefile, context, vartype, pending_restart from pg_settings`,
  );
  return new ServerSettings(
    rows.map((row) => ({
      name: row.name,
      setting: row.setting,
      unit: row.unit,
      bootValue: row.boot_val,
      resetValue: row.reset_val,
      source: row.source,
      sourceFile: row.sourcefile,
      context: row.context,
      type: row.vartype,
      pendingRestart: row.pending_restart === true,
    })),
  );
}
