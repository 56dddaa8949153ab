/**
 * Which registry tools the LLM may call. Safety does not depend on the model obeying a prompt:
 * tools that change pgdba's own state (dismiss, approve, execute…) need a person's click or
 * command, and tools that read files on the server by path are left to the adapters (uploads),
 * so an instruction hidden in a log line, a comment or a question has nothing harmful to call.
 * Database writes are impossible anyway: every analysis session is read-only.
 */
import type { AnyTool } from '../../tools/registry.js';

const personOnlyTools = /^(dismiss|postpone|approve|reject|execute|apply|run_change|create_change)(_|$)/;
const serverFileTools = new Set(['analyze_log']);

export function agentMayCall(tool: AnyTool): boolean {
  return !personOnlyTools.test(tool.name) && !serverFileTools.has(tool.name);
}
