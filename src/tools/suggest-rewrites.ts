import { z } from 'zod';
import { RecommendationStore, rewriteRecommendation, suggestRewrites } from '../engine/advisor/index.js';
import { ExplainInputError, explainQuery, parseExplainable, readRelationFacts } from '../engine/plan/index.js';
import { tablesOf } from '../engine/plan/query-tables.js';
import { ReplyBuilder } from './reply.js';
import { defineTool, ToolInputError } from './tool.js';

export const suggestRewritesTool = defineTool({
  name: 'suggest_rewrites',
  description:
    'Suggests rewrites of one query that PostgreSQL runs badly (NOT IN, OR across columns, functions or casts on indexed columns, leading-wildcard LIKE, SELECT *, OFFSET paging, count(*), correlated subqueries), with rewritten SQL and before/after planner cost where mechanical.',
  examples: ['suggest rewrites for select * from orders where id not in (select order_id from refunds)'],
  input: z.object({ sql: z.string().min(1, 'Give the SQL query to look at.') }).strict(),
  async run(input, context) {
    const target = await context.target();
    try {
      const statement = await parseExplainable(input.sql);
      const facts = await readRelationFacts(target, tablesOf(statement.tree), context.signal);
      const original = await explainQuery(target, input.sql, context.signal ? { signal: context.signal } : {});
      const suggestions = suggestRewrites(statement, facts, original.plan);
      const costed = [];
      for (const suggestion of suggestions) {
        let costs: { before: number; after: number } | undefined;
        if (suggestion.runnable && suggestion.rewrittenSql) {
          // A rewrite the server rejects is still shown, just without a measured cost.
          const rewritten = await explainQuery(target, suggestion.rewrittenSql).catch(() => undefined);
          if (rewritten) costs = { before: original.plan.totalCost, after: rewritten.plan.totalCost };
        }
        costed.push({ ...suggestion, ...(costs ? { costs } : {}) });
      }
      const store = context.recommendations ? new RecommendationStore(context.recommendations) : undefined;
      const ids: string[] = [];
      if (store) for (const s of costed) ids.push((await store.upsert(rewriteRecommendation(statement.sql, s, s.costs, target.description.label))).id);
      const reply = new ReplyBuilder();
      if (costed.length === 0) {
        reply.text('Nothing in this query is a known rewrite candidate. If it is slow, look at its plan (explain) and at index advice.');
      } else {
        reply.text(`${costed.length} rewrite suggestion${costed.length === 1 ? '' : 's'} (planner cost of the query now: ${original.plan.totalCost.toFixed(0)}):`);
        for (const s of costed) {
          reply.text(`*${s.title}*${s.costs ? ` — planner cost ${s.costs.before.toFixed(0)} → ${s.costs.after.toFixed(0)}` : ''}\n${s.explanation}`);
          if (s.rewrittenSql) reply.code(s.rewrittenSql, 'sql', s.runnable ? 'Rewritten query' : 'Rewritten query (fill in the placeholders)');
          if (s.supportingSql) reply.code(s.supportingSql, 'sql', 'Supporting index');
        }
      }
      return { data: { sql: statement.sql, planCost: original.plan.totalCost, suggestions: costed, recommendationIds: ids }, reply: reply.build() };
    } catch (error) {
      if (error instanceof ExplainInputError) throw new ToolInputError(error.message);
      throw error;
    }
  },
});
