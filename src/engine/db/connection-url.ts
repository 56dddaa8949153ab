/**
 * Turns a libpq-style connection URL into `pg` client options, with libpq's sslmode meaning
 * (node-postgres treats `sslmode=require` as `verify-full`, which is not what DBAs expect).
 */
import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import type { ConnectionOptions } from 'node:tls';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const sslModes: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface ParsedTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  sslMode: SslMode;
  clientConfig: ClientConfig;
}

/** Connection URL with the password removed, safe for logs and chat. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '*****';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|key/i.test(key)) parsed.searchParams.set(key, '*****');
    }
    return parsed.toString();
  } catch {
    return '(unparsable connection URL)';
  }
}

export function parseTargetUrl(url: string): ParsedTarget {
  const parsed = new URL(url);
  const params = parsed.searchParams;
  const sslModeParam = (params.get('sslmode') ?? 'disable') as SslMode;
  if (!sslModes.includes(sslModeParam)) {
    throw new Error(`sslmode=${sslModeParam} is not a valid sslmode; use one of ${sslModes.join(', ')}`);
  }
  const host = decodeURIComponent(parsed.hostname || params.get('host') || 'localhost').replace(/^\[|\]$/g, '');
  const port = Number(parsed.port || params.get('port') || 5432);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres';
  const user = decodeURIComponent(parsed.username || params.get('user') || 'postgres');
  const clientConfig: ClientConfig = {
    host,
    port,
    database,
    user,
    password: parsed.password ? decodeURIComponent(parsed.password) : (params.get('password') ?? undefined),
    ssl: sslOptions(sslModeParam, params.get('sslrootcert'), host),
  };
  return { host, port, database, user, sslMode: sslModeParam, clientConfig };
}

// `prefer`/`allow` would need a retry without TLS; pgdba keeps one behaviour and does not use TLS for them.
function sslOptions(mode: SslMode, rootCertPath: string | null, host: string): false | ConnectionOptions {
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  const ca = rootCertPath ? readFileSync(rootCertPath, 'utf8') : undefined;
  if (mode === 'require') return ca ? { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined } : { rejectUnauthorized: false };
  if (mode === 'verify-ca') return { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ca, rejectUnauthorized: true, servername: host };
}
