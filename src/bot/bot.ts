/**
 * The bot core: takes a question from any adapter, decides which tool answers it, runs the tool
 * and turns every failure into a reply that says what went wrong and what to do. Knows no
 * chat platform.
 */
import type Keyv from 'keyv';
import { ZodError } from 'zod';
import { isConnectionLoss, TargetConnectionError } from '../engine/db/connection-errors.js';
import type { TargetDatabase } from '../engine/db/target-database.js';
import type { AnyTool } from '../tools/registry.js';
import { ReplyBuilder, type Progress, type Reply } from '../tools/reply.js';
import { ToolInputError, type Asker, type ToolContext } from '../tools/tool.js';
import { parseApprovalPayload, type ApprovalAction, type ApprovalWorkflow } from './approvals/index.js';
import { route } from './router.js';
import { SharedRuns } from './shared-runs.js';
import { StoreUnavailableError } from './stores/store-errors.js';

export interface AskOptions {
  /**
   * Whether the input may name files on the pgdba host (`paths`). Only the command line and the
   * terminal chat, run by someone already on that host, and adapters passing a file they saved
   * themselves set this; a chat user must never read the server's files.
   */
  allowLocalFiles?: boolean;
  /** The person asking (attributed on change requests and approvals). */
  user?: Asker;
  /** Set by the agent for its tool calls, so a change it proposes says so. */
  requestSource?: ToolContext['requestSource'];
  signal?: AbortSignal;
  progress?: (progress: Progress) => void;
}

export interface BotAnswer {
  /** False when the question could not be answered (unknown question, bad input, failure). */
  ok: boolean;
  reply: Reply;
  /** Tool that produced the answer, if any. */
  tool?: string;
  /** The tool's JSON data, for `--format json` and the agent. */
  data?: unknown;
  error?: { kind: 'unknown-question' | 'bad-input' | 'connection' | 'database' | 'internal'; message: string };
}

export interface BotDependencies {
  tools: readonly AnyTool[];
  openTarget: () => Promise<TargetDatabase>;
  /** Lasting store for recommendations, handed to the tools that keep advice. */
  recommendations?: Keyv;
  /** The approval workflow; approval buttons are routed to it, never to a tool. */
  approvals?: ApprovalWorkflow;
  /** Where unexpected errors are reported (never shown raw to the user). */
  logError?: (message: string, error: unknown) => void;
}

export class Bot {
  private readonly toolNames: ReadonlySet<string>;
  /** Runs of shareable tools in flight, by tool and input. */
  private readonly sharedRuns = new SharedRuns<BotAnswer>();

  constructor(private readonly deps: BotDependencies) {
    this.toolNames = new Set(deps.tools.map((tool) => tool.name));
  }

  async ask(question: string, options: AskOptions = {}): Promise<BotAnswer> {
    const decision = route(question, undefined, this.toolNames);
    if (decision.kind === 'help') return { ok: true, reply: this.help() };
    if (decision.kind === 'unknown') {
      return {
        ok: false,
        reply: this.help(`I did not understand "${truncate(decision.text, 80)}". Here is what I can answer:`),
        error: { kind: 'unknown-question', message: 'No command matches the question.' },
      };
    }
    return this.runTool(decision.tool, decision.input, options);
  }

  /** Runs one tool by name with raw input (also used by button clicks and the agent). */
  async runTool(name: string, rawInput: unknown, options: AskOptions = {}): Promise<BotAnswer> {
    const tool = this.deps.tools.find((candidate) => candidate.name === name);
    if (!tool) return this.failure('bad-input', `There is no tool called "${name}".`);
    if (!options.allowLocalFiles && namesLocalFiles(rawInput)) {
      return this.failure('bad-input', 'Reading files on the pgdba server is only possible from its command line (`pgdba logs analyze FILE`). Upload the log file to the chat instead.', name);
    }
    let input: unknown;
    try {
      input = tool.input.parse(rawInput);
    } catch (error) {
      return this.failure('bad-input', `The request for ${name} is incomplete: ${describeZodError(error)}`);
    }
    // A caller that can cancel keeps its own run: cancelling must not stop the others' answers.
    if (tool.shareable && !options.signal) {
      const key = `${name}\u0000${JSON.stringify(input)}`;
      return this.sharedRuns.run(key, options.progress, (progress) => this.execute(tool, name, input, { ...options, progress }));
    }
    return this.execute(tool, name, input, options);
  }

  private async execute(tool: AnyTool, name: string, input: unknown, options: AskOptions): Promise<BotAnswer> {
    try {
      const result = await tool.run(input, {
        target: this.deps.openTarget,
        ...(this.deps.recommendations ? { recommendations: this.deps.recommendations } : {}),
        ...(options.user ? { user: options.user } : {}),
        ...(options.requestSource ? { requestSource: options.requestSource } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.progress ? { progress: options.progress } : {}),
      });
      return { ok: true, reply: result.reply, tool: name, data: result.data };
    } catch (error) {
      return this.explainFailure(name, error);
    }
  }

  /**
   * A button click: the action id names a tool and the payload carries its input (JSON, or a bare
   * id such as a recommendation id). Adapters call this for every click they receive.
   */
  async handleAction(action: { id: string; payload: string }, options: AskOptions = {}): Promise<BotAnswer> {
    const approval = parseApprovalPayload(action.payload);
    if (approval) return this.handleApproval(approval, options);
    return this.runTool(action.id, parseActionPayload(action.payload), options);
  }

  // The only route to executing a change: a click on an approval card by an identified person.
  private async handleApproval(approval: { action: ApprovalAction; requestId: string }, options: AskOptions): Promise<BotAnswer> {
    if (!this.deps.approvals) return this.failure('bad-input', 'Approvals are not enabled in this pgdba.');
    if (!options.user) return this.failure('bad-input', 'This chat did not say who clicked, so the approval cannot be recorded.');
    let result;
    try {
      result = await this.deps.approvals.handleApprovalAction({
        ...approval,
        user: options.user,
        ...(options.progress ? { onProgress: options.progress } : {}),
      });
    } catch (error) {
      if (error instanceof StoreUnavailableError) return this.failure('connection', error.message);
      throw error;
    }
    const ok = result.outcome !== 'refused' && result.outcome !== 'failed';
    return {
      ok,
      reply: result.reply,
      data: { outcome: result.outcome, message: result.message, requestId: approval.requestId },
      ...(ok ? {} : { error: { kind: result.outcome === 'refused' ? 'bad-input' : 'database', message: result.message } as const }),
    };
  }

  help(intro = 'I am pgdba, your PostgreSQL DBA assistant. Ask me:'): Reply {
    return new ReplyBuilder()
      .text(intro)
      .table({
        columns: ['Ask', 'What you get'],
        rows: this.deps.tools.map((tool) => [tool.examples[0] ?? tool.name, tool.description]),
      })
      .context('Type "help" at any time to see this list again.')
      .build();
  }

  private explainFailure(tool: string, error: unknown): BotAnswer {
    if (error instanceof ToolInputError) return this.failure('bad-input', error.message, tool);
    if (error instanceof ZodError) return this.failure('bad-input', describeZodError(error), tool);
    if (error instanceof StoreUnavailableError) return this.failure('connection', error.message, tool);
    if (error instanceof TargetConnectionError) {
      return this.failure('connection', `I cannot reach the database. ${error.message}`, tool);
    }
    const pgError = error as { code?: string; message?: string; hint?: string; position?: string };
    if (typeof pgError.code === 'string' && /^[0-9A-Z]{5}$/.test(pgError.code)) {
      return this.failure('database', describePostgresError(pgError), tool);
    }
    if (isConnectionLoss(error)) {
      return this.failure('connection', 'The connection to the database was lost while I was working on this. Ask again: I will reconnect.', tool);
    }
    this.deps.logError?.(`tool ${tool} failed`, error);
    return this.failure('internal', `Something went wrong while running ${tool}. The error was logged; please try again or report it.`, tool);
  }

  private failure(kind: NonNullable<BotAnswer['error']>['kind'], message: string, tool?: string): BotAnswer {
    return {
      ok: false,
      reply: new ReplyBuilder().text(message).build(),
      ...(tool ? { tool } : {}),
      error: { kind, message },
    };
  }
}

function describePostgresError(error: { code?: string; message?: string; hint?: string }): string {
  const advice: Record<string, string> = {
    '57014': 'The statement hit pgdba\'s statement_timeout (PGDBA_STATEMENT_TIMEOUT_MS) and was cancelled.',
    '55P03': 'The statement waited longer than lock_timeout for a lock held by another session.',
    '25006': 'pgdba analyses in read-only sessions; changes must go through an approval.',
    '42501': 'The pgdba database user lacks a privilege for this (grant pg_read_all_stats / pg_monitor, or SELECT on the table).',
    '42601': 'Check the SQL syntax near the position PostgreSQL reports.',
    '42P01': 'Check the table name and the schema (search_path).',
    '42703': 'Check the column name.',
  };
  const extra = advice[error.code ?? ''] ?? '';
  return [`PostgreSQL said: ${error.message} (SQLSTATE ${error.code}).`, error.hint ? `Hint: ${error.hint}` : '', extra]
    .filter(Boolean)
    .join(' ');
}

function describeZodError(error: unknown): string {
  if (!(error instanceof ZodError)) return String(error);
  return error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
}

function namesLocalFiles(input: unknown): boolean {
  const paths = (input as { paths?: unknown } | null | undefined)?.paths;
  return Array.isArray(paths) && paths.length > 0;
}

function parseActionPayload(payload: string): unknown {
  if (payload.trim().startsWith('{')) {
    try {
      return JSON.parse(payload) as unknown;
    } catch {
      // Not JSON after all: treat as a bare id below.
    }
  }
  return payload === '' ? {} : { id: payload };
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
