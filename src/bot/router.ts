/**
 * Maps a message to a tool call without any LLM, from the phrase book in routes.ts.
 */
import { helpPatterns, routeRules, type RouteRule } from './routes.js';

export type RouteDecision =
  | { kind: 'tool'; tool: string; input: Record<string, unknown> }
  | { kind: 'help' }
  | { kind: 'unknown'; text: string };

/** Removes chat decorations that carry no meaning for routing: mentions, trailing "please" and "?". */
export function normaliseQuestion(text: string): string {
  return text
    .replace(/<@[A-Z0-9]+>|<@!?\d+>|^@\S+/g, ' ')
    .trim()
    .replace(/^(please|pls|can you|could you)\s+/i, '')
    .replace(/\s*(,?\s*please)?\s*[?!.]*\s*$/i, '')
    .trim();
}

export function route(text: string, rules: readonly RouteRule[] = routeRules, knownTools?: ReadonlySet<string>): RouteDecision {
  const question = normaliseQuestion(text);
  if (question === '' || helpPatterns.some((pattern) => pattern.test(question))) return { kind: 'help' };
  for (const rule of rules) {
    if (knownTools && !knownTools.has(rule.tool)) continue;
    const parsed = rule.parse?.(question);
    if (parsed) return { kind: 'tool', tool: rule.tool, input: parsed };
    for (const pattern of rule.patterns) {
      const match = question.match(pattern);
      if (match) return { kind: 'tool', tool: rule.tool, input: rule.toInput?.(match) ?? {} };
    }
  }
  return { kind: 'unknown', text: question };
}
