/**
 * Configuration from environment variables, validated once at start-up.
 *
 * Each variable is declared once in `settings` with its description and an example; the
 * same table drives validation, the error message for a bad value and `.env.example`
 * (a test keeps them in step). Secret values are never echoed back in errors.
 */
import { z } from 'zod';

interface Setting {
  description: string;
  example: string;
  secret?: boolean;
  schema: z.ZodType;
}

const optionalText = z.string().trim().min(1).optional();
const postgresUrl = z
  .string()
  .trim()
  .refine((value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value), {
    message: 'must be a postgres:// or postgresql:// URL',
  });
const httpUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\//.test(value) && URL.canParse(value), { message: 'must be an http(s):// URL' });
const milliseconds = (fallback: number) =>
  z.coerce.number({ message: 'must be a number of milliseconds' }).int().min(0).max(86_400_000).default(fallback);

export const settings = {
  PORT: {
    description: 'HTTP port of `pgdba serve` (chat webhooks, web chat, /healthz).',
    example: '3000',
    schema: z.coerce.number({ message: 'must be a port number' }).int().min(1).max(65535).default(3000),
  },
  DATABASE_URL: {
    description:
      'Target PostgreSQL database to analyse (read-only sessions). Unset = the embedded demo database. ' +
      'sslmode=disable|prefer|require|verify-ca|verify-full and sslrootcert are honoured.',
    example: 'postgres://pgdba@db.internal:5432/app?sslmode=verify-full',
    secret: true,
    schema: postgresUrl.optional(),
  },
  PGDBA_STATEMENT_TIMEOUT_MS: {
    description: 'statement_timeout of every analysis session, in milliseconds.',
    example: '15000',
    schema: milliseconds(15_000),
  },
  PGDBA_LOCK_TIMEOUT_MS: {
    description: 'lock_timeout of every analysis session, in milliseconds.',
    example: '2000',
    schema: milliseconds(2_000),
  },
  PGDBA_CONNECT_TIMEOUT_MS: {
    description: 'How long to wait for a connection to the target before giving up, in milliseconds.',
    example: '5000',
    schema: milliseconds(5_000),
  },
  PGDBA_POOL_SIZE: {
    description: 'Maximum number of connections pgdba opens to the target database.',
    example: '4',
    schema: z.coerce.number({ message: 'must be a whole number' }).int().min(1).max(50).default(4),
  },
  PGDBA_DEMO_DIR: {
    description: 'Where the embedded demo database keeps its files (created and seeded on first use).',
    example: '/var/lib/pgdba/demo',
    schema: optionalText,
  },
  PGDBA_OUTPUT_DIR: {
    description: 'Folder where the local chat writes images (charts, plan diagrams).',
    example: './pgdba-output',
    schema: z.string().trim().min(1).default('pgdba-output'),
  },
  PGDBA_STORE_URL: {
    description: 'Where approvals, audit, recommendations and conversations are kept: redis://[:PASSWORD@]HOST:PORT[/DB] (shared by every replica), file:///path/store.jsonl (one process) or memory:. Unset = a local file.',
    example: 'redis://127.0.0.1:6379',
    secret: true,
    schema: optionalText,
  },
  OPENAI_API_KEY: {
    description: 'API key of the OpenAI-compatible endpoint. Unset = deterministic command router only.',
    example: 'sk-...',
    secret: true,
    schema: optionalText,
  },
  OPENAI_BASE_URL: {
    description: 'Base URL of an OpenAI-compatible endpoint (OpenAI or an on-premise server).',
    example: 'http://127.0.0.1:8000/v1',
    schema: httpUrl.optional(),
  },
  PGDBA_MODEL: {
    description: 'Model name used by the agent.',
    example: 'gpt-4o-mini',
    schema: optionalText,
  },
  PGDBA_AGENT_TIMEOUT_MS: {
    description: 'How long the agent waits for the LLM endpoint on one question before answering with the command router, in milliseconds.',
    example: '30000',
    schema: milliseconds(30_000),
  },
  PGDBA_LLM_SAMPLES: {
    description: 'Whether SQL literals and log parameters may be sent to the LLM as they are ("on"); by default they are replaced by placeholders.',
    example: 'off',
    schema: z.enum(['on', 'off']).default('off'),
  },
  PGDBA_CONVERSATION_TTL_MS: {
    description: 'How long a chat thread\'s conversation history is kept after its last message, in milliseconds.',
    example: '86400000',
    schema: z.coerce.number({ message: 'must be a number of milliseconds' }).int().min(1000).max(30 * 86_400_000).default(86_400_000),
  },
  PGDBA_CONVERSATION_MAX_TOKENS: {
    description: 'Upper bound (approximate tokens) of the conversation history given to the agent; older turns are dropped first.',
    example: '3000',
    schema: z.coerce.number({ message: 'must be a whole number' }).int().min(100).max(200_000).default(3000),
  },
  PGDBA_UPLOAD_MAX_BYTES: {
    description: 'Largest log file accepted from a chat upload, in bytes; bigger files are refused with a message.',
    example: '262144000',
    schema: z.coerce.number({ message: 'must be a number of bytes' }).int().min(1).max(10 * 1024 ** 3).default(250 * 1024 * 1024),
  },
  SLACK_BOT_TOKEN: {
    description: 'Slack bot token (xoxb-...). Enables the Slack adapter.',
    example: 'xoxb-123-456-abc',
    secret: true,
    schema: optionalText,
  },
  SLACK_SIGNING_SECRET: {
    description: 'Slack signing secret, used to verify HTTP events.',
    example: '8f742231b10e8888abcd99yyyzzz85a5',
    secret: true,
    schema: optionalText,
  },
  SLACK_APP_TOKEN: {
    description: 'Slack app-level token (xapp-...). When set, Slack uses Socket Mode instead of HTTP events.',
    example: 'xapp-1-A111-222-abc',
    secret: true,
    schema: optionalText,
  },
  SLACK_API_URL: {
    description: 'Override of the Slack Web API base URL (tests, Enterprise gateways).',
    example: 'https://slack.com/api/',
    schema: httpUrl.optional(),
  },
  DISCORD_BOT_TOKEN: {
    description: 'Discord bot token. Enables the Discord adapter.',
    example: 'MTA...',
    secret: true,
    schema: optionalText,
  },
  DISCORD_APPLICATION_ID: {
    description: 'Discord application id.',
    example: '123456789012345678',
    schema: optionalText,
  },
  DISCORD_PUBLIC_KEY: {
    description: 'Discord application public key (hex), used to verify HTTP interactions.',
    example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    schema: z
      .string()
      .trim()
      .regex(/^[0-9a-fA-F]{64}$/, { message: 'must be 64 hexadecimal characters' })
      .optional(),
  },
  DISCORD_API_URL: {
    description: 'Override of the Discord REST base URL (tests).',
    example: 'https://discord.com/api',
    schema: httpUrl.optional(),
  },
  DISCORD_GATEWAY: {
    description: 'Set to "off" to use only HTTP interactions, without the gateway connection.',
    example: 'off',
    schema: z.enum(['on', 'off']).default('on'),
  },
  MICROSOFT_APP_ID: {
    description: 'Microsoft Teams bot app id. Unset = emulator mode (no auth, loopback only).',
    example: '00000000-0000-0000-0000-000000000000',
    schema: optionalText,
  },
  MICROSOFT_APP_PASSWORD: {
    description: 'Microsoft Teams bot app password.',
    example: 'client-secret-value',
    secret: true,
    schema: optionalText,
  },
  MICROSOFT_APP_TENANT_ID: {
    description: 'Azure AD tenant id of the Teams bot (single-tenant apps).',
    example: '00000000-0000-0000-0000-000000000000',
    schema: optionalText,
  },
  MICROSOFT_APP_TYPE: {
    description: 'Bot Framework app type.',
    example: 'SingleTenant',
    schema: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  },
  MICROSOFT_GRAPH_URL: {
    description: 'Microsoft Graph base URL, asked for the groups of `teams:group:` approvers (override for national clouds or tests).',
    example: 'https://graph.microsoft.com/v1.0',
    schema: httpUrl.default('https://graph.microsoft.com/v1.0'),
  },
  MICROSOFT_LOGIN_URL: {
    description: 'Microsoft Entra token authority for the Graph token (override for national clouds or tests).',
    example: 'https://login.microsoftonline.com',
    schema: httpUrl.default('https://login.microsoftonline.com'),
  },
  PGDBA_WEB_TOKEN: {
    description: 'Access token of the local web chat; required when `pgdba serve --web` listens beyond loopback.',
    example: 'a-long-random-string',
    secret: true,
    schema: optionalText,
  },
  PGDBA_APPROVERS: {
    description: 'Who may approve changes: comma-separated platform user ids, groups or roles.',
    example: 'slack:U0123ABCD,slack:S0GROUP,discord:role:1234',
    schema: optionalText,
  },
} satisfies Record<string, Setting>;

export type SettingName = keyof typeof settings;
export type Config = { [K in SettingName]: z.output<(typeof settings)[K]['schema']> };

/** A configuration problem, phrased for the person starting pgdba. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`pgdba cannot start: the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(settings) as [SettingName, Setting][]) {
    const raw = env[name] === '' ? undefined : env[name];
    const result = setting.schema.safeParse(raw);
    if (result.success) {
      config[name] = result.data;
      continue;
    }
    const reason = result.error.issues.map((issue) => issue.message).join('; ');
    const shown = setting.secret || raw === undefined ? '' : ` (got "${raw}")`;
    problems.push(`${name} ${reason}${shown}. Example of a good value: ${name}=${setting.example}`);
  }
  const typed = config as Config;
  if (typed.OPENAI_BASE_URL && !typed.PGDBA_MODEL) {
    problems.push(`PGDBA_MODEL is required when OPENAI_BASE_URL is set. Example: PGDBA_MODEL=${settings.PGDBA_MODEL.example}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return typed;
}

/** The text of `.env.example`: every variable, commented, with an example value. */
export function renderEnvExample(): string {
  const lines = ['# pgdba configuration. Every variable is optional; unset ones use the default described.', ''];
  for (const [name, setting] of Object.entries(settings) as [SettingName, Setting][]) {
    lines.push(`# ${setting.description}`, `# ${name}=${setting.example}`, '');
  }
  return lines.join('\n');
}
