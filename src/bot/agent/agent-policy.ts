/**
 * Which registry tools the LLM may call. Safety does not depend on the model obeying a prompt:
 * tools that change pgdba's own state (dismiss, approve, execute…) need a person's click or
 * command, and tools that read files on the server by path are left to the adapters (uploads),
 * so an instruction hidden in a log line, a comment or a question has nothing harmful to call.
 * Database writes are impossible anyway: every analysis session is read-only. The model may
 * also not EXECUTE statements (EXPLAIN ANALYZE): a read-only SELECT can still call functions
 * with side effects (pg_terminate_backend, pg_advisory_lock, dblink…), so plans it asks for are
 * estimated ones; a person can still ask for EXPLAIN ANALYZE directly.
 */
import type { AnyTool } from '../../tools/registry.js';

const personOnlyTools = /^(dismiss|postpone|approve|reject|execute|apply|run_change|create_change)(_|$)/;
const serverFileTools = new Set(['analyze_log']);

export function agentMayCall(tool: AnyTool): boolean {
  return !personOnlyTools.test(tool.name) && !serverFileTools.has(tool.name);
}

/** The input the model's call runs with: never `analyze: true`. Returns a note when it changed something. */
export function agentSafeInput(input: unknown): { input: unknown; note?: string } {
  if (input && typeof input === 'object' && !Array.isArray(input) && (input as { analyze?: unknown }).analyze === true) {
    return { input: { ...input, analyze: false }, note: 'analyze was turned off: the agent only reads estimated plans and never executes statements.' };
  }
  return { input };
}
