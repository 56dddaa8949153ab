/**
 * Conversation history of each chat thread, kept in keyv so a follow-up question ("and its
 * indexes?") reaches the agent with what came before. Bounded by an approximate token budget
 * (oldest turns dropped first) and expired after a quiet period. With PGDBA_STORE_URL=redis://…
 * every replica reads the same history, so a follow-up may land on any of them.
 */
import type Keyv from 'keyv';
import { StoreUnavailableError } from '../stores/store-errors.js';

export interface ConversationTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface ConversationLimits {
  /** Approximate tokens kept per thread. */
  maxTokens: number;
  /** Milliseconds after the last turn before the thread is forgotten. */
  ttlMs: number;
}

/** About four characters per token for English and SQL: close enough for a budget. */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export class ConversationStore {
  constructor(
    private readonly store: Keyv<ConversationTurn[]>,
    private readonly limits: ConversationLimits,
    private readonly logError: (message: string, error: unknown) => void = () => undefined,
  ) {}

  /**
   * The thread's turns, oldest first (empty for a new or expired thread). While the shared store
   * is down the question is answered without its history rather than not at all.
   */
  async history(threadId: string): Promise<ConversationTurn[]> {
    try {
      return await this.turns(threadId);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      this.logError('conversation history unavailable; answering without it', error);
      return [];
    }
  }

  /** Appends turns and trims the oldest ones beyond the token budget; refreshes the expiry. */
  async append(threadId: string, ...turns: ConversationTurn[]): Promise<void> {
    // Read without the fallback: appending to a history that could not be read would erase it.
    const kept = boundByTokens([...(await this.turns(threadId)), ...turns], this.limits.maxTokens);
    await this.store.set(threadId, kept, this.limits.ttlMs);
  }

  async forget(threadId: string): Promise<void> {
    await this.store.delete(threadId);
  }

  private async turns(threadId: string): Promise<ConversationTurn[]> {
    return (await this.store.get(threadId)) ?? [];
  }
}

/** The newest turns whose approximate size fits `maxTokens` (a single oversized turn is cut). */
export function boundByTokens(turns: ConversationTurn[], maxTokens: number): ConversationTurn[] {
  const kept: ConversationTurn[] = [];
  let used = 0;
  for (let i = turns.length - 1; i >= 0; i -= 1) {
    const turn = turns[i]!;
    const cost = approximateTokens(turn.content);
    if (used + cost > maxTokens) {
      if (kept.length === 0) kept.unshift({ role: turn.role, content: turn.content.slice(-maxTokens * 4) });
      break;
    }
    kept.unshift(turn);
    used += cost;
  }
  return kept;
}
