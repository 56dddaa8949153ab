import { z } from 'zod';
import { ExplainInputError, explainQuery, planSummary, renderPlanText, type PlanTip } from '../engine/plan/index.js';
import { renderPlan } from '../renderers/plan-diagram.js';
import { ReplyBuilder } from './reply.js';
import { defineTool, ToolInputError } from './tool.js';

const severityIcon: Record<PlanTip['severity'], string> = { critical: '🔴', warning: '🟠', info: '🔵' };

export const explainQueryTool = defineTool({
  name: 'explain_query',
  description:
    'Shows the execution plan of one SQL query (estimated, or with analyze: actual rows, times and buffers for plain reads), as a diagram with its hot spots and tips on what is wrong.',
  examples: ['explain select * from orders where customer_id = 42', 'explain analyze select count(*) from orders'],
  input: z
    .object({
      sql: z.string().min(1, 'Give the SQL query to explain.'),
      analyze: z.boolean().default(false),
      params: z.array(z.string()).optional(),
    })
    .strict(),
  async run(input, context) {
    const target = await context.target();
    const result = await explainQuery(target, input.sql, {
      analyze: input.analyze,
      ...(input.params ? { params: input.params } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
    }).catch((error: unknown) => {
      if (error instanceof ExplainInputError) throw new ToolInputError(error.message);
      throw error;
    });
    const { plan, tips } = result;
    const summary = planSummary(plan);
    const text = renderPlanText(plan, { tips });
    const reply = new ReplyBuilder().text(
      `${result.analyzed ? '*EXPLAIN ANALYZE*' : '*EXPLAIN* (estimated plan)'} on *${target.description.label}*: ${summary}`,
    );
    if (result.parameterMode === 'generic') reply.context('Parameters planned generically (EXPLAIN GENERIC_PLAN).');
    if (result.parameterMode === 'sampled' || result.parameterMode === 'given') {
      reply.context(`Parameters: ${result.parameters.map((p) => `$${p.position} = ${p.value === null ? 'NULL' : `'${p.value}'`} (${p.source})`).join(', ')}`);
    }
    try {
      const png = await renderPlan(plan, { tips });
      reply.image({ png, title: 'Query plan', alt: `Plan diagram with ${plan.nodeCount} nodes; ${summary}`, fileName: 'query-plan.png' });
    } catch (error) {
      reply.context(`The plan diagram could not be drawn: ${(error as Error).message}`);
    }
    reply.code(text, 'text', 'Plan');
    if (tips.length === 0) reply.text('No problems spotted in this plan.');
    else reply.text(tips.map((t) => `- ${severityIcon[t.severity]} *${t.title}*${t.node ? ` — ${t.node}` : ''}\n  ${t.explanation}`).join('\n'));
    return {
      data: {
        sql: result.sql,
        analyzed: result.analyzed,
        parameterMode: result.parameterMode,
        parameters: result.parameters,
        summary,
        text,
        plan,
        tips,
      },
      reply: reply.build(),
    };
  },
});
