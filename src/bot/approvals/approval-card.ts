/**
 * The approval card: everything an approver needs to decide (SQL, class, lint, lock and
 * duration, rollback, who asked and why) and the buttons. After execution the same card shows
 * the result and the before/after evidence.
 */
import { ReplyBuilder, type Reply } from '../../tools/reply.js';
import { approvalPayload } from './action-payload.js';
import type { ApprovalRequest } from './approval-request.js';
import type { ChatUser } from './approver-policy.js';

function who(user: ChatUser): string {
  return user.name ? `${user.name} (${user.platform}:${user.id})` : `${user.platform}:${user.id}`;
}

const statusText: Record<ApprovalRequest['status'], string> = {
  pending: 'waiting for approval',
  approved: 'approved',
  executing: 'executing',
  executed: 'executed',
  failed: 'execution failed',
  rejected: 'rejected',
  expired: 'expired',
};

/** Builds the card; `notice` is the outcome of the last click ("Approved by …", "Refused: …"). */
export function approvalCard(request: ApprovalRequest, notice?: string): Reply {
  const reply = new ReplyBuilder();
  if (notice) reply.text(notice);
  const a = request.analysis;
  reply.text(`*Change request ${request.id}*: ${request.title} — _${request.scheduledFor && request.status === 'pending' ? `scheduled for ${request.scheduledFor}` : statusText[request.status]}_`);
  reply.fields([
    { label: 'Requested by', value: `${who(request.requester)} via ${request.source}` },
    { label: 'Why', value: request.reason || '(no reason given)' },
    { label: 'Class', value: a.parseError ? `unsafe (${a.parseError})` : `${a.class} (${a.statements.map((s) => s.class).join(', ')})` },
    { label: 'Lock', value: a.impact.strongestLock ? `${a.impact.strongestLock}: ${a.impact.blocks ?? ''}` : 'no table lock' },
    { label: 'Rewrites table', value: a.impact.rewritesTable ? 'yes' : 'no' },
    ...(a.impact.effects && a.impact.effects.length > 0 ? [{ label: 'Effect', value: a.impact.effects.join(' ') }] : []),
    { label: 'Estimated duration', value: a.impact.estimatedSeconds === null ? 'unknown (table size not looked up)' : a.impact.estimatedSeconds < 1 ? 'under a second' : `about ${Math.ceil(a.impact.estimatedSeconds)} s` },
    { label: 'Approvals', value: `${request.approvals.length} of ${request.requiredApprovals}${request.approvals.length > 0 ? ` (${request.approvals.map((v) => who(v.approver)).join(', ')})` : ''}${request.fourEyes ? '; requester cannot approve' : ''}` },
    { label: 'Expires', value: request.expiresAt },
  ]);
  reply.code(request.sql, 'sql', 'Change');
  reply.text(a.impact.summary);
  if (a.lint.length > 0) {
    reply.table({
      title: 'Lint findings',
      columns: ['Severity', 'Rule', 'Finding', 'Safer alternative'],
      rows: a.lint.map((f) => [f.severity, f.rule, f.message, f.saferAlternative]),
    });
  } else if (!a.parseError) {
    reply.text('Lint: no findings.');
  }
  if (a.rollback.statements.length > 0) reply.code(a.rollback.statements.join(';\n') + ';', 'sql', 'Rollback');
  for (const item of a.rollback.irreversible) reply.text(`Rollback of statement ${item.statementIndex + 1}: not mechanical — ${item.reason}.`);
  if (request.evidence) reply.text(`Evidence: ${request.evidence.summary}`);
  if (request.dryRun) {
    for (const plan of request.dryRun.plans) reply.code(plan.plan, 'text', `Dry-run: ${plan.sql.slice(0, 60)}`);
  }
  const result = request.execution?.result;
  if (result && result.status !== 'skipped') {
    reply.fields([
      { label: 'Result', value: result.status },
      { label: 'Duration', value: `${(result.durationMs / 1000).toFixed(1)} s` },
      { label: 'Attempts', value: result.statements.map((s) => `${s.index + 1}: ${s.status}${s.attempts > 1 ? ` after ${s.attempts} attempts` : ''}${s.returned ? ` (returned ${s.returned.length === 0 ? 'no row' : s.returned.map(String).join(', ')})` : ''}`).join('; ') },
      ...(result.indexes.length > 0 ? [{ label: 'New indexes', value: result.indexes.map((i) => `${i.name} ${i.valid ? 'valid' : 'INVALID'}`).join(', ') }] : []),
      ...((result.checks ?? []).length > 0 ? [{ label: 'Verified', value: result.checks!.map((c) => `${c.ok ? '' : 'NOT OK: '}${c.detail}`).join(' ') }] : []),
      ...(request.execution?.auditRecordId ? [{ label: 'Audit record', value: `${request.execution.auditRecordId} (ask "audit ${request.id}")` }] : []),
    ]);
    if (result.error) reply.text(`*Failed:* ${result.error}`);
    const compared = result.evidence.filter((e) => e.before && e.after);
    if (compared.length > 0) {
      reply.table({
        title: 'Before / after',
        columns: ['Query', 'Cost before', 'Cost after', 'Indexes used after'],
        rows: compared.map((e) => [e.query.slice(0, 80), e.before!.totalCost.toFixed(1), e.after!.totalCost.toFixed(1), e.after!.indexes.join(', ') || '(none)']),
        numericColumns: [1, 2],
      });
    }
  }
  if (request.status === 'approved' && request.scheduledFor && !request.execution) {
    reply.actions([
      { id: 'approval-reject', label: 'Cancel (reject)', style: 'danger', payload: approvalPayload('reject', request.id) },
      { id: 'approval-dry-run', label: 'Dry-run (EXPLAIN)', payload: approvalPayload('dry-run', request.id) },
    ]);
  }
  if (request.status === 'pending') {
    reply.actions([
      { id: 'approval-approve', label: 'Approve', style: 'primary', payload: approvalPayload('approve', request.id) },
      { id: 'approval-reject', label: 'Reject', style: 'danger', payload: approvalPayload('reject', request.id) },
      { id: 'approval-dry-run', label: 'Dry-run (EXPLAIN)', payload: approvalPayload('dry-run', request.id) },
      ...(request.scheduledFor ? [] : [{ id: 'approval-schedule', label: 'Schedule for maintenance window', payload: approvalPayload('schedule', request.id) }]),
    ]);
  }
  reply.context(`Only allowed approvers can approve${request.fourEyes ? ', and not the requester' : ''}. The executor uses its own session with lock_timeout, retries lock timeouts, and drops an INVALID index if a build fails.`);
  return reply.build();
}
