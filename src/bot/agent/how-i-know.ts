/**
 * The compact "how I know" footer: which tools produced the answer and who chose them, so a
 * DBA can tell an engine measurement from model prose at a glance.
 */
export type AnswerSource = 'router' | 'agent' | 'router-fallback';

export function howIKnow(tools: readonly string[], source: AnswerSource, modelName?: string): string {
  const distinct = [...new Set(tools)];
  const used = distinct.length > 0 ? distinct.map((name) => `\`${name}\``).join(', ') : 'no tool';
  const chooser =
    source === 'agent' ? `chosen by the model${modelName ? ` ${modelName}` : ''}` : source === 'router' ? 'command router' : 'command router, the model being unavailable';
  return `How I know: ${used} (${chooser}; read-only).`;
}
