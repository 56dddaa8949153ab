/**
 * Conversation history of each chat thread, kept in keyv so a follow-up question ("and its
 * indexes?") reaches the agent with what came before. Bounded by an approximate token budget
 * (oldest turns dropped first) and expired after a quiet period.
 */
import type Keyv from 'keyv';

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
  ) {}

  /** The thread's turns, oldest first (empty for a new or expired thread). */
  async history(threadId: string): Promise<ConversationTurn[]> {
    return (await this.store.get(threadId)) ?? [];
  }

  /** Appends turns and trims the oldest ones beyond the token budget; refreshes the expiry. */
  async append(threadId: string, ...turns: ConversationTurn[]): Promise<void> {
    const kept = boundByTokens([...(await this.history(threadId)), ...turns], this.limits.maxTokens);
    await this.store.set(threadId, kept, this.limits.ttlMs);
  }

  async forget(threadId: string): Promise<void> {
    await this.store.delete(threadId);
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
