/**
 * The deterministic command router's phrase book: which words ask for which tool. Works with no
 * LLM at all; the agent, when configured, handles what these patterns do not.
 */

export interface RouteRule {
  tool: string;
  /** Tried in order; the first match wins. Named groups feed `toInput`. */
  patterns: RegExp[];
  toInput?: (match: RegExpMatchArray) => Record<string, unknown>;
}

export const routeRules: RouteRule[] = [
  {
    tool: 'explain_query',
    // "explain select ...", "explain analyze select ...", "explain this query: select ..."
    patterns: [/^explain(?:\s+this(?:\s+query)?)?(?<analyze>\s+analy[sz]e)?\s*:?\s+(?<sql>(?:select|with|insert|update|delete|values|table|merge)\b[\s\S]+)$/i],
    toInput: (match) => ({ sql: match.groups?.sql?.trim(), analyze: Boolean(match.groups?.analyze) }),
  },
  {
    tool: 'server_overview',
    patterns: [
      /^(health|status|overview|server)$/i,
      /\bhow(?:'s| is| are)\b.*\b(database|db|server|things|we)\b/i,
      /\b(health|status|overview)\b/i,
      /\bcache hit\b/i,
    ],
  },
  {
    tool: 'largest_tables',
    patterns: [/^tables$/i, /\b(biggest|largest|top)\s+(\d+\s+)?tables?\b/i, /\btables?\b.*\b(size|sizes|biggest|largest)\b/i, /\bwhat(?:'s| is) (taking|using) (the )?(disk|space)\b/i],
  },
];

export const helpPatterns: RegExp[] = [/^(help|\?|commands|what can you do\??|hi|hello)$/i, /\bwhat can (you|i) (do|ask)\b/i];
