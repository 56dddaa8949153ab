/**
 * Every tool pgdba has. The command router, the LLM agent and `help` all read this one list.
 */
import { largestTablesTool } from './largest-tables.js';
import { serverOverviewTool } from './server-overview.js';
import type { Tool } from './tool.js';

export type AnyTool = Tool;

export const tools: readonly AnyTool[] = [serverOverviewTool, largestTablesTool] as unknown as AnyTool[];

export function findTool(name: string): AnyTool | undefined {
  return tools.find((tool) => tool.name === name);
}
