/**
 * Explains why a connection to the target failed, in the words a DBA would use, with what to
 * check next. Never includes the password or a stack trace.
 */

export class TargetConnectionError extends Error {
  constructor(
    message: string,
    readonly reason: ConnectionFailureReason,
  ) {
    super(message);
    this.name = 'TargetConnectionError';
  }
}

export type ConnectionFailureReason =
  | 'refused'
  | 'unreachable'
  | 'unknown-host'
  | 'timeout'
  | 'auth-failed'
  | 'no-hba-entry'
  | 'database-missing'
  | 'role-missing'
  | 'ssl-required'
  | 'ssl-unsupported'
  | 'ssl-certificate'
  | 'too-many-connections'
  | 'server-starting'
  | 'other';

interface Where {
  host: string;
  port: number;
  database: string;
  user: string;
}

export function explainConnectionError(error: unknown, where: Where): TargetConnectionError {
  const e = (error ?? {}) as { code?: string; message?: string };
  const code = e.code ?? '';
  const message = e.message ?? String(error);
  const at = `${where.host}:${where.port}`;
  const explain = (reason: ConnectionFailureReason, text: string) => new TargetConnectionError(text, reason);

  if (code === 'ECONNREFUSED') {
    return explain('refused', `Connection refused on ${at}: nothing is listening there. Check that PostgreSQL is running, that \`port\` is ${where.port} and that \`listen_addresses\` includes the address pgdba connects to, and that no firewall rejects the connection.`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return explain('unknown-host', `The host name "${where.host}" cannot be resolved (DNS lookup failed). Check the host in DATABASE_URL.`);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return explain('unreachable', `Host ${where.host} is unreachable from this machine (no route). Check the network path, VPN or security groups between pgdba and the database.`);
  }
  if (code === 'ETIMEDOUT' || /timeout expired|connection timeout|timed out/i.test(message)) {
    return explain('timeout', `No answer from ${at} within the connect timeout: the host is unreachable or a firewall drops the packets. Check the network path, or raise PGDBA_CONNECT_TIMEOUT_MS if the server is just slow to accept.`);
  }
  if (code === '28P01') {
    return explain('auth-failed', `Password authentication failed for user "${where.user}" on ${at}. Check the password in DATABASE_URL (or the pg_hba.conf method for this user).`);
  }
  if (code === '28000' && /no pg_hba\.conf entry/i.test(message)) {
    if (/no encryption/i.test(message)) {
      return explain('ssl-required', `The server on ${at} only accepts encrypted connections for user "${where.user}" and database "${where.database}". Add sslmode=require (or verify-full) to DATABASE_URL.`);
    }
    return explain('no-hba-entry', `The server on ${at} has no pg_hba.conf entry allowing user "${where.user}" to reach database "${where.database}" from this host. Ask the DBA to add one (and reload), or connect as another user.`);
  }
  if (code === '3D000') {
    return explain('database-missing', `Database "${where.database}" does not exist on ${at}. Check the database name in DATABASE_URL (\`psql -l\` lists them).`);
  }
  if (code === '28000' && /role .* does not exist/i.test(message)) {
    return explain('role-missing', `Role "${where.user}" does not exist on ${at}. Create it (CREATE ROLE ... LOGIN) or use an existing user in DATABASE_URL.`);
  }
  if (/does not support SSL/i.test(message)) {
    return explain('ssl-unsupported', `The server on ${at} does not support SSL, but DATABASE_URL asks for it. Enable ssl on the server or use sslmode=disable / prefer.`);
  }
  if (/certificate|self[- ]signed|CERT_|unable to verify/i.test(message) || /^ERR_TLS|^CERT|DEPTH_ZERO/.test(code)) {
    return explain('ssl-certificate', `The server certificate of ${at} could not be verified (${message}). Give the CA with sslrootcert=/path/to/ca.pem, or use sslmode=require to encrypt without verifying.`);
  }
  if (code === '53300') {
    return explain('too-many-connections', `The server on ${at} has no free connection slots (max_connections reached). Close idle sessions or use a connection pooler.`);
  }
  if (code === '57P03') {
    return explain('server-starting', `The server on ${at} is starting up, shutting down or in recovery and does not accept connections yet. Try again in a moment.`);
  }
  return explain('other', `Could not connect to ${at} as "${where.user}" (database "${where.database}"): ${message}.`);
}

/** True when an error means the connection itself is gone (server restart, network cut). */
export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code ?? '';
  const message = (error as Error | undefined)?.message ?? '';
  return (
    ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', '57P01', '57P02', '57P03'].includes(code) ||
    /Connection terminated|connection.*(closed|ended)/i.test(message)
  );
}
