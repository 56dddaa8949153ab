/**
 * The assistant every chat adapter talks to: the deterministic router for commands it knows,
 * the LLM agent (when configured) for everything else, and the router again whenever the model
 * fails or times out — the person always gets a reply that says what happened.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { createAgent } from 'langchain';
import type { AnyTool } from '../../tools/registry.js';
import { ReplyBuilder, type Reply, type ReplyBlock } from '../../tools/reply.js';
import type { AskOptions, Bot, BotAnswer } from '../bot.js';
import type { ConversationStore, ConversationTurn } from '../conversations/conversation-store.js';
import { route } from '../router.js';
import { agentTools, type ToolRun } from './agent-tools.js';
import { howIKnow, type AnswerSource } from './how-i-know.js';
import { LiteralVault, loadPrivacyParser, maskText, removeSecrets, type PrivacyOptions } from './privacy.js';
import { systemPrompt } from './system-prompt.js';

export interface AssistantQuestion extends AskOptions {
  question: string;
  /** Thread or channel the question belongs to; its history is given to the agent. */
  conversationId?: string;
}

export interface AssistantAnswer extends BotAnswer {
  source: AnswerSource;
  /** Tools that ran for this answer, in order. */
  toolsUsed: string[];
  /** What the conversation history keeps of this answer (already masked). */
  memory?: string;
}

export interface AssistantDependencies {
  bot: Bot;
  tools: readonly AnyTool[];
  /** The LLM; undefined = router only. */
  model?: BaseChatModel | undefined;
  modelName?: string | undefined;
  conversations?: ConversationStore | undefined;
  /** Compact schema of the target for the agent's context. */
  schemaSummary?: (() => Promise<string>) | undefined;
  privacy: PrivacyOptions;
  /** How long one question may take the model before the router answers instead. */
  timeoutMs: number;
  logError?: ((message: string, error: unknown) => void) | undefined;
}

/** Tool rounds allowed per question (each round is a model call plus tool calls). */
const recursionLimit = 16;
/** Tool replies shown under the model's answer (tables, charts), newest last. */
const shownToolReplies = 2;

export class Assistant {
  private readonly toolNames: ReadonlySet<string>;

  constructor(private readonly deps: AssistantDependencies) {
    this.toolNames = new Set(deps.tools.map((tool) => tool.name));
  }

  get agentEnabled(): boolean {
    return this.deps.model !== undefined;
  }

  /** Whether `question` will go to the LLM (adapters show a "thinking" message for those). */
  usesAgent(question: string): boolean {
    return this.deps.model !== undefined && route(question, undefined, this.toolNames).kind === 'unknown';
  }

  /**
   * Runs a tool directly (uploads), with the same footer as any answer. With `rememberAs`, the
   * result joins the thread's history so follow-up questions ("which query was slowest?") have it.
   */
  async runTool(name: string, input: unknown, options: AskOptions = {}, rememberAs?: { conversationId: string; question: string }): Promise<AssistantAnswer> {
    const answer = withFooter({ ...(await this.deps.bot.runTool(name, input, options)), source: 'router', toolsUsed: [name] });
    if (rememberAs) await this.remember(rememberAs, answer);
    return answer;
  }

  /** A button click: the action id names a tool, the payload carries its input (see Bot.handleAction). */
  async handleAction(action: { id: string; payload: string }, options: AskOptions = {}): Promise<AssistantAnswer> {
    const answer = await this.deps.bot.handleAction(action, options);
    // Approval clicks run no tool: their card speaks for itself, so no "how I know" footer.
    return withFooter({ ...answer, source: 'router', toolsUsed: answer.tool ? [answer.tool] : [] }, answer.tool !== undefined);
  }

  help(): Reply {
    return this.deps.bot.help();
  }

  async ask(request: AssistantQuestion): Promise<AssistantAnswer> {
    const decision = route(request.question, undefined, this.toolNames);
    let answer: AssistantAnswer;
    if (decision.kind !== 'unknown' || !this.deps.model) {
      const routed = await this.deps.bot.ask(request.question, request);
      answer = withFooter({ ...routed, source: 'router', toolsUsed: routed.tool ? [routed.tool] : [] }, routed.tool !== undefined);
    } else {
      answer = await this.askAgent(this.deps.model, request);
    }
    await this.remember(request, answer);
    return answer;
  }

  private async askAgent(model: BaseChatModel, request: AssistantQuestion): Promise<AssistantAnswer> {
    await loadPrivacyParser();
    const vault = new LiteralVault(this.deps.privacy);
    const runs: ToolRun[] = [];
    const timeout = AbortSignal.timeout(this.deps.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    try {
      const history = request.conversationId && this.deps.conversations ? await this.deps.conversations.history(request.conversationId) : [];
      const agent = createAgent({
        model,
        tools: agentTools({ bot: this.deps.bot, tools: this.deps.tools, privacy: this.deps.privacy, vault, runs, askOptions: { signal, requestSource: 'agent', ...(request.user ? { user: request.user } : {}), ...(request.progress ? { progress: request.progress } : {}) } }),
        systemPrompt: systemPrompt(await this.schemaSummary()),
      });
      const result = await agent.invoke(
        { messages: [...history.map((turn) => ({ role: turn.role, content: turn.content })), { role: 'user', content: vault.maskQuestion(request.question) }] },
        { signal, recursionLimit },
      );
      const modelText = messageText(result.messages.at(-1));
      const shown = removeSecrets(vault.unmask(modelText), this.deps.privacy.secrets) || 'The model returned an empty answer.';
      const reply = new ReplyBuilder().text(shown).build();
      reply.blocks.push(...toolBlocks(runs));
      return withFooter(
        { ok: true, reply, source: 'agent', toolsUsed: runs.map((run) => run.tool), ...lastData(runs), memory: maskText(modelText, this.deps.privacy) },
        true,
        this.deps.modelName,
      );
    } catch (error) {
      this.deps.logError?.('the LLM endpoint failed; answering with the command router', error);
      return this.fallback(request, runs, describeModelFailure(error, timeout.aborted, this.deps.timeoutMs));
    }
  }

  /** The router's answer, prefixed by why the model did not answer (never silence). */
  private async fallback(request: AssistantQuestion, runs: ToolRun[], reason: string): Promise<AssistantAnswer> {
    const intro = new ReplyBuilder();
    if (runs.length > 0) {
      intro.text(`${reason} Here is what the tools it ran found:`);
      const reply = intro.build();
      reply.blocks.push(...runs.flatMap((run) => run.answer.reply.blocks));
      return withFooter({ ok: true, reply, source: 'router-fallback', toolsUsed: runs.map((run) => run.tool), ...lastData(runs) }, true);
    }
    const routed = await this.deps.bot.ask(request.question, { ...(request.progress ? { progress: request.progress } : {}) });
    intro.text(`${reason} ${routed.error?.kind === 'unknown-question' ? 'The command router alone cannot map this question; here is what it can answer:' : 'Answering with the command router instead:'}`);
    const reply = intro.build();
    reply.blocks.push(...routed.reply.blocks);
    return withFooter({ ...routed, reply, source: 'router-fallback', toolsUsed: routed.tool ? [routed.tool] : [] }, routed.tool !== undefined);
  }

  private async schemaSummary(): Promise<string> {
    if (!this.deps.schemaSummary) return '(not available)';
    try {
      return maskText(await this.deps.schemaSummary(), this.deps.privacy);
    } catch (error) {
      this.deps.logError?.('schema summary failed', error);
      return '(not available: the database could not be read just now)';
    }
  }

  private async remember(request: { question: string; conversationId?: string | undefined }, answer: AssistantAnswer): Promise<void> {
    if (!request.conversationId || !this.deps.conversations) return;
    const question: ConversationTurn = { role: 'user', content: new LiteralVault(this.deps.privacy).maskQuestion(request.question) };
    const said = answer.memory ?? summariseReply(answer, this.deps.privacy);
    try {
      await this.deps.conversations.append(request.conversationId, question, { role: 'assistant', content: said });
    } catch (error) {
      // Losing history degrades follow-ups but must not lose the answer itself.
      this.deps.logError?.('could not store the conversation turn', error);
    }
  }
}

function withFooter(answer: AssistantAnswer, showFooter = true, modelName?: string): AssistantAnswer {
  if (!showFooter) return answer;
  return { ...answer, reply: { blocks: [...answer.reply.blocks, { type: 'context', text: howIKnow(answer.toolsUsed, answer.source, modelName) }] } };
}

/** Tables, charts, SQL and buttons of the last tools that succeeded (their prose is the model's job). */
function toolBlocks(runs: ToolRun[]): ReplyBlock[] {
  return runs
    .filter((run) => run.answer.ok)
    .slice(-shownToolReplies)
    .flatMap((run) => run.answer.reply.blocks.filter((block) => block.type !== 'text' && block.type !== 'context'));
}

function lastData(runs: ToolRun[]): { tool?: string; data?: unknown } {
  const last = runs.at(-1);
  return last ? { tool: last.tool, data: last.answer.data } : {};
}

function messageText(message: unknown): string {
  const content = (message as { content?: unknown } | undefined)?.content;
  if (typeof content === 'string') return content.trim();
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === 'string' ? part : (part as { type?: string; text?: string }).type === 'text' ? ((part as { text?: string }).text ?? '') : ''))
      .join('')
      .trim();
  }
  return '';
}

function describeModelFailure(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `The language model did not answer within ${Math.round(timeoutMs / 1000)} s.`;
  const name = (error as { name?: string }).name ?? '';
  if (name === 'GraphRecursionError') return 'The language model kept calling tools without reaching an answer.';
  const status = (error as { status?: number }).status;
  return `The language model endpoint failed${status ? ` (HTTP ${status})` : ''}.`;
}

/** Text and the first table rows of a reply, masked, as the history keeps it. */
function summariseReply(answer: AssistantAnswer, privacy: PrivacyOptions): string {
  const parts = answer.reply.blocks.flatMap((block) => {
    if (block.type === 'text') return [block.text];
    if (block.type === 'table') return [[block.title ?? '', block.columns.join(' | '), ...block.rows.slice(0, 10).map((row) => row.join(' | '))].join('\n')];
    return [];
  });
  const prefix = answer.toolsUsed.length > 0 ? `[ran ${answer.toolsUsed.join(', ')}] ` : '';
  return maskText(`${prefix}${parts.map((part) => maskText(part, privacy)).join('\n')}`.slice(0, 2000), privacy);
}
