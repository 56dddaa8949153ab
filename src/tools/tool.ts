/**
 * A tool is one capability of pgdba with a typed input: the same registry serves the
 * deterministic command router, the LLM agent and the command line.
 */
import type Keyv from 'keyv';
import type { z } from 'zod';
import type { TargetDatabase } from '../engine/db/target-database.js';
import type { Progress, Reply } from './reply.js';

export interface ToolResult<Data = unknown> {
  /** Plain JSON for the LLM agent and `--format json`. */
  data: Data;
  /** What people see. */
  reply: Reply;
}

/** Who asked, as the chat platform identifies them: requests and approvals are attributed to this. */
export interface Asker {
  /** "slack", "discord", "teams", "web", "local", … */
  platform: string;
  id: string;
  name?: string;
  /** Slack user groups, Teams (AAD) groups. */
  groups?: string[];
  /** Discord roles. */
  roles?: string[];
  /** Why the adapter could not look up `groups` (approvals then refuse group-based approval and say so). */
  groupLookupFailure?: string;
}

export interface ToolContext {
  /** The person asking, when the adapter knows them. */
  user?: Asker;
  /** Where a change request comes from: the LLM agent's tool call, a person, or a recommendation's button. */
  requestSource?: 'recommendation' | 'agent' | 'person';
  /** The database being analysed; opened lazily so tools that need none (log analysis) start fast. */
  target: () => Promise<TargetDatabase>;
  signal?: AbortSignal;
  progress?: (progress: Progress) => void;
  /** Lasting store of recommendations (keyv namespace "recommendations"); tools that keep advice use it when present. */
  recommendations?: Keyv;
}

export interface Tool<Input extends z.ZodType = z.ZodType, Data = unknown> {
  /** snake_case name, as the LLM sees it. */
  name: string;
  /** One sentence: what it answers. Shown in `help` and given to the LLM. */
  description: string;
  /** Example phrasings a person can type; the first one is shown in `help`. */
  examples: string[];
  input: Input;
  /**
   * True for tools that only read the target and do not depend on who asks: identical calls
   * arriving while one is running share its result (a burst of "health" from a channel costs one run).
   */
  shareable?: boolean;
  run(input: z.output<Input>, context: ToolContext): Promise<ToolResult<Data>>;
}

/** Declares a tool with its input type inferred from the zod schema. */
export function defineTool<Input extends z.ZodType, Data>(tool: Tool<Input, Data>): Tool<Input, Data> {
  return tool;
}

/** A problem the person can fix (bad SQL, unknown table); shown as is, without a stack trace. */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolInputError';
  }
}
