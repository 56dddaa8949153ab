/**
 * `request_change`: turns SQL (or a recommendation) into an approval request and returns the
 * approval card. It never executes anything: execution happens only when an allowed approver
 * clicks Approve (ApprovalWorkflow.handleApprovalAction). Safe to give to the LLM agent.
 */
import { z } from 'zod';
import { RecommendationStore } from '../../engine/advisor/recommendations.js';
import type { ApprovalWorkflow } from './approval-workflow.js';
import type { ApprovalRequest, RequestSource } from './approval-request.js';
import type { ChatUser } from './approver-policy.js';
import { guardedActionInput, guardedRequest } from './guarded-action-request.js';
import { defineTool, ToolInputError, type ToolContext } from '../../tools/tool.js';

/** What the bot adds to the tool context for this tool: who is asking, and whether it is the agent. */
export interface ApprovalToolContext extends ToolContext {
  user?: ChatUser;
  requestSource?: RequestSource;
}

/** What the LLM and `--format json` see: the request id and analysis, never a way to execute. */
function requestData(request: ApprovalRequest) {
  return {
    requestId: request.id,
    status: request.status,
    class: request.analysis.class,
    parseError: request.analysis.parseError,
    lock: request.analysis.impact.strongestLock,
    lint: request.analysis.lint.map((l) => ({ rule: l.rule, severity: l.severity, saferAlternative: l.saferAlternative })),
    rollback: request.analysis.rollback.statements,
    needsApprovalFrom: 'an allowed approver (not the requester)',
  };
}

const unknownRequester: ChatUser = { platform: 'unknown', id: 'unknown', name: 'unknown requester' };

export function createRequestChangeTool(workflow: ApprovalWorkflow) {
  return defineTool({
    name: 'request_change',
    description:
      'Proposes a database change for approval — SQL (CREATE INDEX CONCURRENTLY, …), a stored recommendation, or a guarded action (cancel or terminate a backend by pid, drop an index, VACUUM (ANALYZE) a table) — and returns an approval card. Nothing runs until an allowed approver approves.',
    examples: ['apply: CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id)', 'please create this index: CREATE INDEX CONCURRENTLY …', 'apply rec-1a2b3c4d'],
    input: z
      .object({
        sql: z.string().trim().min(1).max(100_000).optional(),
        recommendationId: z.string().regex(/^rec-[0-9a-f]{8}$/, 'Recommendation ids look like rec-1a2b3c4d.').optional(),
        reason: z.string().max(2_000).optional(),
        queries: z.array(z.string().max(20_000)).max(10).optional(),
        /** A guarded action from a view's button (cancel/terminate a backend, drop an index, vacuum a table). */
        guardedAction: guardedActionInput.optional(),
      })
      .strict()
      .refine((v) => [v.sql, v.recommendationId, v.guardedAction].filter(Boolean).length === 1, { message: 'Give exactly one of: the SQL to apply, a recommendation id, or a guarded action.' }),
    async run(input, context) {
      const ctx = context as ApprovalToolContext;
      const requester = ctx.user ?? unknownRequester;
      if (input.recommendationId) {
        if (!context.recommendations) throw new ToolInputError('Recommendations are not stored in this setup, so there is nothing to apply by id; give the SQL instead.');
        const recommendation = await new RecommendationStore(context.recommendations).get(input.recommendationId);
        if (!recommendation) throw new ToolInputError(`No recommendation with id "${input.recommendationId}"; list them to see the ids.`);
        const { request, reply } = await workflow.requestFromRecommendation({ ...recommendation, ...(input.queries ? { queries: input.queries } : {}) }, requester);
        return { data: requestData(request), reply };
      }
      if (input.guardedAction) {
        const guarded = await guardedRequest(input.guardedAction, input.reason, context.target);
        const { request, reply } = await workflow.createRequest({ ...guarded, requester, source: ctx.requestSource ?? 'person' });
        return { data: requestData(request), reply };
      }
      const { request, reply } = await workflow.createRequest({
        sql: input.sql!,
        requester,
        source: ctx.requestSource ?? 'person',
        ...(input.reason ? { reason: input.reason } : {}),
        ...(input.queries ? { verifyQueries: input.queries } : {}),
      });
      return { data: requestData(request), reply };
    },
  });
}
