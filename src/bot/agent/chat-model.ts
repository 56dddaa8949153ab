/**
 * The LLM behind the agent: any OpenAI-compatible endpoint (OpenAI itself or an on-premise
 * server) from OPENAI_BASE_URL / OPENAI_API_KEY / PGDBA_MODEL. None configured = no agent.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOpenAI } from '@langchain/openai';
import type { Config } from '../../config.js';

export const defaultModelName = 'gpt-4o-mini';

export function agentConfigured(config: Config): boolean {
  return Boolean(config.OPENAI_API_KEY || config.OPENAI_BASE_URL);
}

/** The configured chat model, or undefined when the deterministic router works alone. */
export function createChatModel(config: Config): BaseChatModel | undefined {
  if (!agentConfigured(config)) return undefined;
  return new ChatOpenAI({
    model: config.PGDBA_MODEL ?? defaultModelName,
    // On-premise servers often need no key, but the client insists on one.
    apiKey: config.OPENAI_API_KEY ?? 'unused',
    ...(config.OPENAI_BASE_URL ? { configuration: { baseURL: config.OPENAI_BASE_URL } } : {}),
    temperature: 0,
    timeout: config.PGDBA_AGENT_TIMEOUT_MS,
    // One retry for a transient failure; past that the router answers instead of making people wait.
    maxRetries: 1,
    // Never `streaming: true` here: it makes invoke() fetch token tables from the internet.
  });
}
