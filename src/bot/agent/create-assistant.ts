/**
 * Assembles the assistant of a running pgdba: the bot over the registry (as `createApp` does),
 * the optional LLM agent, the conversation store and the schema summary, sharing one target
 * opener so the embedded demo is never started twice.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type Keyv from 'keyv';
import type { App } from '../app.js';
import { configuredTargetOpener } from '../app.js';
import { Bot } from '../bot.js';
import { logger } from '../logger.js';
import { ConversationStore, type ConversationTurn } from '../conversations/conversation-store.js';
import { openStateStore, type StateStore } from '../stores/keyv-store.js';
import { storeUrlPassword } from '../stores/store-url.js';
import { settings, type Config } from '../../config.js';
import { tools as registryTools, type AnyTool } from '../../tools/registry.js';
import { Assistant } from './assistant.js';
import { createChatModel, defaultModelName } from './chat-model.js';
import { readSchemaSummary } from './schema-summary.js';
import { createApprovalWorkflow, type ApprovalWorkflow } from '../approvals/index.js';
import { createAuditTool } from '../approvals/audit-tool.js';
import { createRequestChangeTool } from '../approvals/request-change-tool.js';
import { warmUpCharts } from '../../renderers/chart.js';

export interface AssistantApp extends App {
  assistant: Assistant;
  /** The approval workflow: the only path by which a change is executed. */
  approvals: ApprovalWorkflow;
  /** Opens the target (warming the embedded demo) and draws a first chart, before serving. */
  warmUp(): Promise<void>;
}

export interface AssistantAppOptions {
  log?: (line: string) => void;
  /** A chat model to use instead of the configured endpoint (tests: `fakeModel()`). */
  model?: BaseChatModel;
  tools?: readonly AnyTool[];
  /** Lasting recommendations store (the lead's file store, say); default: keyv at PGDBA_STORE_URL, else memory. */
  recommendations?: Keyv;
  /** Store used when PGDBA_STORE_URL is unset: the CLI passes a file so approvals survive restarts; tests keep memory. */
  defaultStoreUrl?: string;
}

/** How long a schema summary is reused before it is read again. */
const schemaSummaryTtlMs = 5 * 60_000;

export async function createAssistantApp(config: Config, options: AssistantAppOptions = {}): Promise<AssistantApp> {
  const storeUrl = config.PGDBA_STORE_URL ?? options.defaultStoreUrl;
  const opener = configuredTargetOpener(config, options.log);
  const logError = (message: string, error: unknown) => logger.error(message, error);
  // One state store (one Redis connection) for every kind of state; closed with the app.
  const state = await openStateStore(storeUrl, { log: options.log ?? ((line) => logger.info(line)) });
  try {
    return assemble(config, options, opener, state, logError);
  } catch (error) {
    await state.close();
    throw error;
  }
}

function assemble(config: Config, options: AssistantAppOptions, opener: ReturnType<typeof configuredTargetOpener>, state: StateStore, logError: (message: string, error: unknown) => void): AssistantApp {
  const recommendations = options.recommendations ?? state.keyv('recommendations');
  // Changes are only ever executed by this workflow, after an allowed person's approval.
  const approvals = createApprovalWorkflow(
    { PGDBA_APPROVERS: config.PGDBA_APPROVERS, databaseUrl: () => opener.url() },
    { approvals: state.keyv('approvals'), audit: state.keyv('audit') },
    { target: () => opener.open(), recommendations },
  );
  const tools = options.tools ?? [...registryTools, createRequestChangeTool(approvals) as unknown as AnyTool, createAuditTool(approvals.audit) as unknown as AnyTool];
  const bot = new Bot({ tools, openTarget: () => opener.open(), logError, recommendations, approvals });
  const model = options.model ?? createChatModel(config);
  const store = state.keyv<ConversationTurn[]>('conversations');
  let summary: { text: string; at: number } | undefined;
  const assistant = new Assistant({
    bot,
    tools,
    model,
    modelName: options.model ? undefined : (config.PGDBA_MODEL ?? defaultModelName),
    conversations: new ConversationStore(store, { maxTokens: config.PGDBA_CONVERSATION_MAX_TOKENS, ttlMs: config.PGDBA_CONVERSATION_TTL_MS }, logError),
    schemaSummary: async () => {
      if (!summary || Date.now() - summary.at > schemaSummaryTtlMs) summary = { text: await readSchemaSummary(await opener.open()), at: Date.now() };
      return summary.text;
    },
    privacy: { allowSamples: config.PGDBA_LLM_SAMPLES === 'on', secrets: configuredSecrets(config) },
    timeoutMs: config.PGDBA_AGENT_TIMEOUT_MS,
    logError,
  });
  return {
    bot,
    config,
    assistant,
    approvals,
    async warmUp() {
      await Promise.all([opener.warmUp(), warmUpCharts()]);
    },
    async close() {
      await opener.close();
      await state.close();
    },
  };
}

/** Values of every secret setting (and the password inside DATABASE_URL), scrubbed from anything sent out. */
export function configuredSecrets(config: Config): string[] {
  const values: string[] = [];
  for (const [name, setting] of Object.entries(settings)) {
    const value = config[name as keyof Config];
    if ('secret' in setting && setting.secret && typeof value === 'string') values.push(value);
  }
  if (config.DATABASE_URL && URL.canParse(config.DATABASE_URL)) {
    const password = decodeURIComponent(new URL(config.DATABASE_URL).password);
    if (password) values.push(password);
  }
  const storePassword = storeUrlPassword(config.PGDBA_STORE_URL);
  if (storePassword) values.push(storePassword);
  return values.filter((value) => value.length >= 4);
}
