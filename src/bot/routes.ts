/**
 * The deterministic command router's phrase book: which words ask for which tool. Works with no
 * LLM at all; the agent, when configured, handles what these patterns do not.
 */

import { parseChangeRequest } from './approvals/change-phrases.js';

export interface RouteRule {
  tool: string;
  /** Tried in order; the first match wins. Named groups feed `toInput`. */
  patterns: RegExp[];
  toInput?: (match: RegExpMatchArray) => Record<string, unknown>;
  /** For phrasings a regular expression cannot hold alone: returns the input, or undefined. */
  parse?: (question: string) => Record<string, unknown> | undefined;
}

export const routeRules: RouteRule[] = [
  {
    // First: "apply: <SQL>" must never be mistaken for an explain or an advice request.
    tool: 'request_change',
    patterns: [],
    parse: (question) => {
      const sql = parseChangeRequest(question);
      return sql ? { sql } : undefined;
    },
  },
  {
    tool: 'explain_query',
    // "explain select ...", "explain analyze select ...", "explain this query: select ..."
    patterns: [/^explain(?:\s+this(?:\s+query)?)?(?<analyze>\s+analy[sz]e)?\s*:?\s+(?<sql>(?:select|with|insert|update|delete|values|table|merge)\b[\s\S]+)$/i],
    toInput: (match) => ({ sql: match.groups?.sql?.trim(), analyze: Boolean(match.groups?.analyze) }),
  },
  {
    tool: 'advise_indexes',
    patterns: [/^(?:advise|index advice|recommend indexes|suggest indexes)(?:\s+indexes)?(?:\s+for)?\s*:?\s+(?<sql>(?:select|with)\b[\s\S]+)$/i],
    toInput: (match) => ({ sql: match.groups?.sql?.trim() }),
  },
  {
    tool: 'advise_indexes',
    patterns: [/^(advise|index advice)$/i, /\bwhich indexes would help\b/i, /\b(missing|recommend(?:ed)?|suggest(?:ed)?) indexes\b/i],
    toInput: () => ({ fromStatStatements: true }),
  },
  {
    tool: 'suggest_rewrites',
    patterns: [/^(?:suggest\s+)?rewrites?(?:\s+for)?\s*:?\s+(?<sql>(?:select|with)\b[\s\S]+)$/i, /^how (?:can|should) i rewrite\s*:?\s+(?<sql>(?:select|with)\b[\s\S]+)$/i],
    toInput: (match) => ({ sql: match.groups?.sql?.trim() }),
  },
  {
    tool: 'dismiss_recommendation',
    patterns: [
      /^postpone\s+(?<id>rec-[0-9a-f]{8})\s+until\s+(?<until>\d{4}-\d{2}-\d{2})$/i,
      /^dismiss\s+(?<id>rec-[0-9a-f]{8})(?:\s+because\s+(?<reason>.+))?$/i,
    ],
    toInput: (match) => ({
      id: match.groups?.id?.toLowerCase(),
      ...(match.groups?.until ? { until: match.groups.until } : {}),
      ...(match.groups?.reason ? { reason: match.groups.reason } : {}),
    }),
  },
  {
    tool: 'list_recommendations',
    patterns: [/^(?:show\s+|list\s+)?(?:all\s+)?(?<status>pending|approved|applied|dismissed|postponed)?\s*recommendations$/i, /\bwhat do you recommend\b/i],
    toInput: (match) => (match.groups?.status ? { status: match.groups.status.toLowerCase() } : {}),
  },
  {
    tool: 'analyze_log',
    patterns: [/^(?:analy[sz]e|summari[sz]e|read)\s+(?:the\s+)?log(?:\s+file)?s?\s+(?<paths>\S+(?:\s+\S+)*)$/i],
    toInput: (match) => ({ paths: (match.groups?.paths ?? '').split(/\s+/) }),
  },
  {
    tool: 'health_report',
    patterns: [
      /^(insights|health ?report|health ?check|checkup|diagnose)$/i,
      /\bwhat(?:'s| is) wrong\b/i,
      /\b(health ?report|insights|health ?check|check ?up)\b/i,
      /\bcheck (the )?(indexes|tables|database)\b/i,
    ],
  },
  {
    tool: 'describe_table',
    patterns: [
      /^(?:describe|desc|\\d\+?)\s+(?:table\s+)?(?<table>[\w."]+)$/i,
      /\b(?:columns|structure|definition|schema) of (?:table\s+)?(?<table>[\w."]+)$/i,
    ],
    toInput: (match) => ({ table: match.groups?.table }),
  },
  {
    tool: 'list_indexes',
    patterns: [
      /^(?:list\s+|show\s+)?indexes\s+(?:on|of|for)\s+(?<table>[\w."]+)$/i,
      /^(?:list\s+|show\s+)?(?:all\s+)?indexes$/i,
      /\b(unused|duplicate|redundant)\s+indexes\b/i,
      /\bindexes\b.*\b(never )?used\b/i,
    ],
    toInput: (match) => (match.groups?.table ? { table: match.groups.table } : {}),
  },
  {
    tool: 'activity',
    patterns: [
      /^(activity|sessions|locks|blocking)$/i,
      /\bwho(?:'s| is)? (is )?blocking\b/i,
      /\b(running|active|long[- ]running) (queries|sessions|statements)\b/i,
      /\bidle in transaction\b/i,
      /\block (waits|tree)\b/i,
    ],
  },
  {
    tool: 'top_statements',
    patterns: [
      /^(top|top queries|top statements|slow queries)$/i,
      /\b(top|slowest|heaviest|most expensive) (\d+ )?(queries|statements)\b/i,
      /\bwhat takes the most time\b/i,
      /\bwhy is .* slow\b/i,
    ],
  },
  {
    tool: 'config_review',
    patterns: [/^(config|configuration|settings)$/i, /\b(review|check)\b.*\b(config|configuration|settings|postgresql\.conf)\b/i, /\bpostgresql\.conf\b/i],
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
