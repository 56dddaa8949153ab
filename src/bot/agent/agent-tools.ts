/**
 * Every registry tool, exposed to the LLM with its own zod schema. A call runs through
 * `Bot.runTool` (same validation, read-only sessions, error explanations as for commands);
 * the model receives the tool's JSON data after masking, the person later sees the tool's own
 * reply (tables, charts). No tool here writes: there is nothing an injected instruction could
 * make the model call that changes the database.
 */
import { tool } from 'langchain';
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { AskOptions, Bot, BotAnswer } from '../bot.js';
import type { AnyTool } from '../../tools/registry.js';
import { agentMayCall, agentSafeInput } from './agent-policy.js';
import { maskForLlm, type LiteralVault, type PrivacyOptions } from './privacy.js';

/** What the agent's tools did during one question, for the reply and the "how I know" footer. */
export interface ToolRun {
  tool: string;
  answer: BotAnswer;
}

/** Characters of tool data given back to the model per call; the rest is summarised away. */
const maxToolResultChars = 12_000;

export interface AgentToolOptions {
  bot: Bot;
  tools: readonly AnyTool[];
  privacy: PrivacyOptions;
  vault: LiteralVault;
  runs: ToolRun[];
  askOptions: AskOptions;
}

export function agentTools(options: AgentToolOptions): StructuredToolInterface[] {
  return options.tools.filter(agentMayCall).map((registryTool) =>
    tool(
      async (input: unknown) => {
        const safe = agentSafeInput(options.vault.unmask(input));
        const answer = await options.bot.runTool(registryTool.name, safe.input, options.askOptions);
        options.runs.push({ tool: registryTool.name, answer });
        const result = options.vault.maskKnown(toolResultForModel(answer, options.privacy));
        return safe.note ? `${result}\nNote: ${safe.note}` : result;
      },
      {
        name: registryTool.name,
        description: `${registryTool.description} Examples: ${registryTool.examples.slice(0, 2).join('; ')}.`,
        schema: registryTool.input as never,
      },
    ) as unknown as StructuredToolInterface,
  );
}

/** The JSON the model sees: data (masked) on success, the explanation on failure. */
export function toolResultForModel(answer: BotAnswer, privacy: PrivacyOptions): string {
  const payload = answer.ok ? { ok: true, data: maskForLlm(answer.data ?? null, privacy) } : { ok: false, error: maskForLlm(answer.error?.message ?? 'failed', privacy) };
  const text = JSON.stringify(payload);
  return text.length <= maxToolResultChars ? text : `${text.slice(0, maxToolResultChars)}… (truncated: ${text.length} characters in all)`;
}
