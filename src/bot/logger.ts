/**
 * Operational log on stderr (stdout belongs to answers). Messages pass through `redactSecrets`
 * so a connection string or token in an error never reaches the log.
 */

const secretPatterns: RegExp[] = [
  /(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi, // password inside a connection URL
  /(rediss?:\/\/[^:/@\s]*:)[^@\s]+@/gi, // password inside PGDBA_STORE_URL (the user name is often empty)
  /\b(xox[abposr]-)[A-Za-z0-9-]+/g, // Slack tokens
  /\b(xapp-)[A-Za-z0-9-]+/g,
  /\b(sk-)[A-Za-z0-9_-]{8,}/g, // OpenAI-style keys
  /(password=)[^\s&]+/gi,
];

export function redactSecrets(text: string): string {
  return secretPatterns.reduce((result, pattern) => result.replace(pattern, '$1*****' + (pattern.source.includes('@') ? '@' : '')), text);
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack.split('\n').slice(1, 6).join('\n')}` : ''}`;
  return String(error);
}

export const logger = {
  info(message: string): void {
    process.stderr.write(`${redactSecrets(message)}\n`);
  },
  error(message: string, error?: unknown): void {
    process.stderr.write(`error: ${redactSecrets(message)}${error === undefined ? '' : `: ${redactSecrets(describe(error))}`}\n`);
  },
};
