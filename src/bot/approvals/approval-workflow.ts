/**
 * The approval workflow: requests come in (from a recommendation, an agent tool or a person),
 * allowed approvers click, and only an approval that satisfies the policy reaches the executor.
 * State lives in keyv, so a pending request survives a restart and is shared by replicas;
 * clicks are idempotent and exactly one replica executes (see claimExecution and the executor's
 * advisory lock). Platform-neutral: adapters call `handleApprovalAction` from their buttons.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type Keyv from 'keyv';
import { RecommendationStore } from '../../engine/advisor/recommendations.js';
import type { TargetDatabase } from '../../engine/db/target-database.js';
import { ApprovalRequiredError, sealApprovedChange, samePrincipal } from '../../engine/execute/approved-change.js';
import type { ChangeExecutor } from '../../engine/execute/change-executor.js';
import type { ExecutionEvent } from '../../engine/execute/execution-types.js';
import { analyzeChange } from '../../engine/sql/analyze-change.js';
import { classifyScript } from '../../engine/sql/classify.js';
import { loadSqlParser } from '../../engine/sql/sql-script.js';
import type { Progress, Reply } from '../../tools/reply.js';
import { approvalCard } from './approval-card.js';
import { storedAnalysis, type ApprovalAction, type ApprovalRequest, type RequestEvidence, type RequestSource } from './approval-request.js';
import { describePolicy, isAllowedApprover, type ApproverPolicy, type ChatUser } from './approver-policy.js';
import { AuditLog } from './audit-log.js';
import { RequestStore } from './request-store.js';

export interface ApprovalSettings {
  /** Distinct approvals needed (default 1). */
  requiredApprovals?: number;
  /** The requester cannot approve their own request (default on). */
  fourEyes?: boolean;
  /** How long a request stays approvable (default 24 h). */
  expiryMs?: number;
  /** Settle time of the store claim (default 50 ms; see RequestStore.claimExecution). */
  claimSettleMs?: number;
  /** Start of the next maintenance window after `now` (default: next 02:00 UTC). */
  nextMaintenanceWindow?: (now: Date) => Date;
}

export interface ApprovalWorkflowOptions extends ApprovalSettings {
  /** Requests and claims (e.g. keyv namespace "approvals"). */
  store: Keyv;
  /** Audit records (e.g. keyv namespace "audit"); defaults to `store`. */
  auditStore?: Keyv;
  policy: ApproverPolicy;
  executor: ChangeExecutor;
  /** The read-only analysis target: table sizes for the card and EXPLAIN for dry-runs. */
  target?: () => Promise<TargetDatabase>;
  now?: () => Date;
  /** Names this process in claims and the audit trail (default: random). */
  replicaId?: string;
  /** Recommendations store (keyv namespace "recommendations"): an executed request marks its recommendation applied. */
  recommendations?: Keyv;
}

export interface NewChangeRequest {
  sql: string;
  requester: ChatUser;
  source: RequestSource;
  reason?: string;
  title?: string;
  evidence?: RequestEvidence;
  recommendationId?: string;
  verifyQueries?: string[];
}

/** The part of a recommendation a request needs (src/engine/advisor/recommendations.ts). */
export interface RecommendationLike {
  id: string;
  title: string;
  sql: string;
  explanation?: string;
  evidence: RequestEvidence;
  /** Queries the recommendation is for, when known. */
  queries?: string[];
}

export interface ApprovalActionInput {
  action: ApprovalAction;
  requestId: string;
  user: ChatUser;
  /** Rejection reason, when the platform collects one. */
  reason?: string;
  /** Index-build progress and retries while executing, for editing the message. */
  onProgress?: (progress: Progress) => void | Promise<void>;
}

export type ApprovalOutcome = 'recorded' | 'executed' | 'failed' | 'rejected' | 'refused' | 'dry-run' | 'scheduled' | 'unchanged';

export interface ApprovalActionResult {
  outcome: ApprovalOutcome;
  /** One sentence for the person who clicked (also at the top of the card). */
  message: string;
  reply: Reply;
  request?: ApprovalRequest;
}

const hour = 3_600_000;

function defaultWindow(now: Date): Date {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 2));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next;
}

function progressOf(event: ExecutionEvent): Progress | undefined {
  switch (event.kind) {
    case 'statement-started':
      return { stage: `running statement ${event.statementIndex + 1}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`, done: 0 };
    case 'index-progress':
      // pg_stat_progress_create_index phases read as they are ("building index: scanning table").
      return { stage: `CREATE INDEX: ${event.phase}`, done: event.done, total: event.total, unit: event.unit };
    case 'lock-timeout':
      // No total: adapters show done/total as a percentage, which attempts are not.
      return { stage: `lock not granted within lock_timeout (attempt ${event.attempt} of ${event.maxAttempts})`, done: event.attempt };
    case 'retry':
      // Says why as well: a paced chat edit may show this instead of the lock-timeout notice just before it.
      return { stage: `lock not granted within lock_timeout; retrying in ${Math.round(event.delayMs / 100) / 10} s (attempt ${event.attempt} of ${event.maxAttempts})`, done: event.attempt - 1 };
    case 'cleanup':
      return { stage: event.dropped ? `dropped INVALID index ${event.index}` : `could not drop INVALID index ${event.index}`, done: 1 };
    default:
      return undefined;
  }
}

/** The approver as a vote keeps them: identity, groups and roles (not transient lookup notes). */
function storedUser(user: ChatUser): ChatUser {
  const { groupLookupFailure: _unused, ...kept } = user;
  return kept;
}

export class ApprovalWorkflow {
  private readonly requests: RequestStore;
  readonly audit: AuditLog;
  private readonly now: () => Date;
  private readonly replicaId: string;
  private readonly requiredApprovals: number;
  private readonly fourEyes: boolean;
  private readonly expiryMs: number;

  constructor(private readonly options: ApprovalWorkflowOptions) {
    this.now = options.now ?? (() => new Date());
    this.requests = new RequestStore(options.store);
    this.audit = new AuditLog(options.auditStore ?? options.store, this.now);
    this.replicaId = options.replicaId ?? `pgdba-${randomUUID().slice(0, 8)}`;
    this.requiredApprovals = Math.max(1, Math.trunc(options.requiredApprovals ?? 1));
    this.fourEyes = options.fourEyes ?? true;
    this.expiryMs = options.expiryMs ?? 24 * hour;
  }

  /** Creates a pending request (never executes) and returns it with its approval card. */
  async createRequest(input: NewChangeRequest): Promise<{ request: ApprovalRequest; reply: Reply }> {
    await loadSqlParser();
    const sql = input.sql.trim();
    if (sql === '') throw new ApprovalInputError('No SQL was given: write the change after "apply:".');
    let target: TargetDatabase | undefined;
    try {
      target = await this.options.target?.();
    } catch {
      target = undefined; // the card then says the size was not looked up
    }
    let analysis;
    try {
      analysis = await analyzeChange(sql, target ? { target } : {});
    } catch {
      analysis = await analyzeChange(sql);
    }
    const verifyQueries = (input.verifyQueries ?? []).filter((q) => {
      const c = classifyScript(q);
      return c.readOnly && c.statements.length === 1;
    });
    const time = this.now();
    const request: ApprovalRequest = {
      id: `chg-${randomBytes(4).toString('hex')}`,
      sql,
      title: input.title ?? (analysis.statements[0]?.sql.slice(0, 80) || 'SQL change'),
      source: input.source,
      ...(input.recommendationId ? { recommendationId: input.recommendationId } : {}),
      requester: input.requester,
      reason: input.reason ?? '',
      ...(input.evidence ? { evidence: input.evidence } : {}),
      verifyQueries,
      analysis: storedAnalysis(analysis),
      status: 'pending',
      requiredApprovals: this.requiredApprovals,
      fourEyes: this.fourEyes,
      approvals: [],
      createdAt: time.toISOString(),
      expiresAt: new Date(time.getTime() + this.expiryMs).toISOString(),
      updatedAt: time.toISOString(),
    };
    await this.requests.save(request);
    await this.audit.append({ requestId: request.id, kind: 'requested', actor: input.requester, details: { sql, source: input.source, reason: request.reason, class: analysis.class, lint: analysis.lint.map((l) => l.rule), recommendationId: input.recommendationId } });
    return { request, reply: approvalCard(request) };
  }

  /** A recommendation's "Apply" button: a request carrying the recommendation's evidence. */
  async requestFromRecommendation(recommendation: RecommendationLike, requester: ChatUser): Promise<{ request: ApprovalRequest; reply: Reply }> {
    return this.createRequest({
      sql: recommendation.sql,
      requester,
      source: 'recommendation',
      title: recommendation.title,
      reason: recommendation.explanation ?? recommendation.title,
      evidence: recommendation.evidence,
      recommendationId: recommendation.id,
      verifyQueries: recommendation.queries ?? [],
    });
  }

  async get(requestId: string): Promise<ApprovalRequest | undefined> {
    return this.requests.get(requestId);
  }

  async list(filter: { status?: ApprovalRequest['status'] } = {}): Promise<ApprovalRequest[]> {
    const all = await this.requests.list();
    return filter.status ? all.filter((r) => r.status === filter.status) : all;
  }

  /**
   * What adapters call when an approval button is clicked. Never throws for a person's mistake:
   * refusals come back as `outcome: 'refused'` with a message saying why.
   */
  async handleApprovalAction(input: ApprovalActionInput): Promise<ApprovalActionResult> {
    const request = await this.requests.get(input.requestId);
    if (!request) {
      const message = `There is no change request "${input.requestId}" (it may have been created on another store); ask for the change again.`;
      return { outcome: 'refused', message, reply: { blocks: [{ type: 'text', text: message }] } };
    }
    const expired = await this.expireIfDue(request);
    if (expired) return this.refuse(expired, input, `This request expired at ${expired.expiresAt}; nothing was executed. Ask for a new request.`, false);
    switch (input.action) {
      case 'approve':
        return this.approve(request, input);
      case 'schedule':
        return this.schedule(request, input);
      case 'reject':
        return this.reject(request, input);
      case 'dry-run':
        return this.dryRun(request, input);
      default:
        return this.refuse(request, input, `Unknown action "${String(input.action)}".`, false);
    }
  }

  /** Executes scheduled, fully approved requests whose maintenance window has opened (for the scheduler). */
  async runDueScheduled(onProgress?: ApprovalActionInput['onProgress']): Promise<ApprovalActionResult[]> {
    const now = this.now().getTime();
    const due = (await this.requests.list()).filter((r) => r.status === 'approved' && r.scheduledFor && Date.parse(r.scheduledFor) <= now);
    const results: ApprovalActionResult[] = [];
    for (const request of due) results.push(await this.execute(request, onProgress ? { onProgress } : {}));
    return results;
  }

  private async expireIfDue(request: ApprovalRequest): Promise<ApprovalRequest | undefined> {
    if (!['pending', 'approved'].includes(request.status) || request.execution) return undefined;
    if (this.now().getTime() < Date.parse(request.expiresAt)) return undefined;
    const expired: ApprovalRequest = { ...request, status: 'expired', updatedAt: this.now().toISOString() };
    await this.requests.save(expired);
    await this.audit.append({ requestId: request.id, kind: 'expired', details: { expiresAt: request.expiresAt } });
    return expired;
  }

  private async refuse(request: ApprovalRequest, input: ApprovalActionInput, message: string, audit = true): Promise<ApprovalActionResult> {
    if (audit) await this.audit.append({ requestId: request.id, kind: 'refused', actor: input.user, details: { action: input.action, reason: message } });
    return { outcome: 'refused', message, reply: approvalCard(request, message), request };
  }

  private finished(request: ApprovalRequest): string | undefined {
    switch (request.status) {
      case 'executed':
        return `Already executed at ${request.execution?.result?.finishedAt ?? request.updatedAt}; it is not run again.`;
      case 'failed':
        return 'Execution already ran and failed; it is not retried from this card. Ask for a new request after fixing the cause.';
      case 'executing':
        return `Being executed (started ${request.execution?.startedAt ?? ''}).`;
      case 'rejected':
        return `Rejected by ${request.rejection?.by.name ?? request.rejection?.by.id ?? 'an approver'}; nothing was executed.`;
      case 'expired':
        return `This request expired at ${request.expiresAt}; nothing was executed. Ask for a new request.`;
      default:
        return undefined;
    }
  }

  /** Checks that the user may approve; returns the refusal message or undefined. */
  private approvalRefusal(request: ApprovalRequest, user: ChatUser): string | undefined {
    if (!isAllowedApprover(this.options.policy, user)) {
      // Fail closed: a membership that could not be checked counts as no membership, and the person is told why.
      const unchecked = user.groupLookupFailure ? ` Your group membership could not be checked (${user.groupLookupFailure}), so approval through a group is refused until it can be; try again shortly or ask an approver listed by user id.` : '';
      return `You (${user.platform}:${user.id}) are not an approver for this environment, so nothing was executed.${unchecked} Approvers: ${describePolicy(this.options.policy)} (PGDBA_APPROVERS).`;
    }
    if (request.fourEyes && samePrincipal(user, request.requester)) {
      return 'You asked for this change, so someone else must approve it (four-eyes rule); nothing was executed.';
    }
    return undefined;
  }

  private async approve(request: ApprovalRequest, input: ApprovalActionInput, scheduledFor?: string): Promise<ApprovalActionResult> {
    const done = this.finished(request);
    if (done) return { outcome: 'unchanged', message: done, reply: approvalCard(request, done), request };
    const refusal = this.approvalRefusal(request, input.user);
    if (refusal) return this.refuse(request, input, refusal);
    if (request.analysis.parseError) {
      return this.refuse(request, input, `This SQL cannot be executed: ${request.analysis.parseError}.`);
    }
    let current = request;
    if (!current.approvals.some((v) => samePrincipal(v.approver, input.user))) {
      current = { ...current, approvals: [...current.approvals, { approver: storedUser(input.user), at: this.now().toISOString() }], updatedAt: this.now().toISOString() };
      await this.audit.append({ requestId: request.id, kind: scheduledFor ? 'scheduled' : 'approved', actor: input.user, details: scheduledFor ? { scheduledFor } : {} });
    }
    if (scheduledFor) current = { ...current, scheduledFor, expiresAt: new Date(Math.max(Date.parse(current.expiresAt), Date.parse(scheduledFor) + hour)).toISOString() };
    const counted = current.approvals.filter((v) => !this.approvalRefusal(current, v.approver)).length;
    if (counted < current.requiredApprovals) {
      await this.requests.save(current);
      const message = `Approval by ${input.user.name ?? input.user.id} recorded: ${counted} of ${current.requiredApprovals}; ${current.requiredApprovals - counted} more needed from another approver.`;
      return { outcome: 'recorded', message, reply: approvalCard(current, message), request: current };
    }
    current = { ...current, status: 'approved' };
    await this.requests.save(current);
    if (current.scheduledFor && Date.parse(current.scheduledFor) > this.now().getTime()) {
      const message = `Approved; scheduled to run in the maintenance window at ${current.scheduledFor}.`;
      return { outcome: 'scheduled', message, reply: approvalCard(current, message), request: current };
    }
    return this.execute(current, input);
  }

  private async schedule(request: ApprovalRequest, input: ApprovalActionInput): Promise<ApprovalActionResult> {
    const window = (this.options.nextMaintenanceWindow ?? defaultWindow)(this.now());
    return this.approve(request, input, window.toISOString());
  }

  private async execute(request: ApprovalRequest, input: Pick<ApprovalActionInput, 'onProgress'>): Promise<ApprovalActionResult> {
    let change;
    try {
      change = sealApprovedChange({
        requestId: request.id,
        sql: request.sql,
        requester: request.requester,
        approvals: request.approvals,
        requiredApprovals: request.requiredApprovals,
        fourEyes: request.fourEyes,
        expiresAt: request.expiresAt,
        isAllowedApprover: (p) => isAllowedApprover(this.options.policy, p as ChatUser),
        verifyQueries: request.verifyQueries,
        now: this.now(),
      });
    } catch (error) {
      if (error instanceof ApprovalRequiredError) return { outcome: 'refused', message: error.message, reply: approvalCard(request, error.message), request };
      throw error;
    }
    const claimed = await this.requests.claimExecution(request.id, this.replicaId, this.options.claimSettleMs ?? 50, 6 * hour);
    if (!claimed) return this.current(request.id, 'Another pgdba replica is executing this request; the card will show its result.');
    const result = await this.options.executor.execute(change, {
      onEvent: async (event) => {
        const progress = progressOf(event);
        if (progress) await input.onProgress?.(progress);
      },
      beforeExecute: async () => {
        // Under the target's advisory lock: the store is the record of whether it already ran.
        const latest = await this.requests.get(request.id);
        if (!latest || latest.execution) return { skip: `already ${latest?.status ?? 'gone'}` };
        const startedAt = this.now().toISOString();
        await this.requests.recordExecution(request.id, { status: 'executing', execution: { owner: this.replicaId, startedAt } });
        await this.requests.save({ ...latest, status: 'executing', execution: { owner: this.replicaId, startedAt }, updatedAt: startedAt });
        await this.audit.append({ requestId: request.id, kind: 'execution-started', details: { replica: this.replicaId, approvedBy: change.approvedBy, sql: request.sql } });
        return undefined;
      },
    });
    if (result.status === 'skipped') return this.current(request.id, `Not executed here: ${result.skippedReason ?? 'already handled'}.`);
    // The audit record first, so the card can name it.
    const audited = await this.audit.append({
      requestId: request.id,
      kind: 'execution-finished',
      details: { status: result.status, error: result.error, durationMs: result.durationMs, startedAt: result.startedAt, finishedAt: result.finishedAt, statements: result.statements, indexes: result.indexes, cleanup: result.cleanup, evidence: result.evidence, checks: result.checks ?? [] },
    });
    const latest = (await this.requests.get(request.id)) ?? request;
    const finished: ApprovalRequest = {
      ...latest,
      status: result.status === 'succeeded' ? 'executed' : 'failed',
      execution: { owner: this.replicaId, startedAt: latest.execution?.startedAt ?? result.startedAt, result, auditRecordId: audited.id },
      updatedAt: this.now().toISOString(),
    };
    await this.requests.recordExecution(request.id, { status: finished.status as 'executed' | 'failed', execution: finished.execution! });
    await this.requests.save(finished);
    if (result.status === 'succeeded' && finished.recommendationId && this.options.recommendations) {
      // Best effort: the change ran; a missing recommendation must not turn success into an error.
      await new RecommendationStore(this.options.recommendations).setStatus(finished.recommendationId, 'applied', { reason: `executed as ${finished.id}` }).catch(() => undefined);
    }
    const checked = (result.checks ?? []).filter((c) => c.ok).map((c) => ` ${c.detail}`).join('');
    const message = result.status === 'succeeded'
      ? `Executed in ${(result.durationMs / 1000).toFixed(1)} s${result.indexes.length > 0 ? `; ${result.indexes.map((i) => `${i.name} is ${i.valid ? 'valid' : 'INVALID'}`).join(', ')}` : ''}.${checked}`
      : `Execution failed: ${result.error ?? 'unknown error'}`;
    return { outcome: result.status === 'succeeded' ? 'executed' : 'failed', message, reply: approvalCard(finished, message), request: finished };
  }

  private async current(requestId: string, message: string): Promise<ApprovalActionResult> {
    const latest = await this.requests.get(requestId);
    return { outcome: 'unchanged', message, reply: latest ? approvalCard(latest, message) : { blocks: [{ type: 'text', text: message }] }, ...(latest ? { request: latest } : {}) };
  }

  private async reject(request: ApprovalRequest, input: ApprovalActionInput): Promise<ApprovalActionResult> {
    const done = this.finished(request);
    if (done) return { outcome: 'unchanged', message: done, reply: approvalCard(request, done), request };
    const isRequester = samePrincipal(input.user, request.requester);
    if (!isRequester && !isAllowedApprover(this.options.policy, input.user)) {
      return this.refuse(request, input, `You (${input.user.platform}:${input.user.id}) are not an approver for this environment, so you cannot reject it. Approvers: ${describePolicy(this.options.policy)}.`);
    }
    const rejected: ApprovalRequest = {
      ...request,
      status: 'rejected',
      rejection: { by: input.user, at: this.now().toISOString(), ...(input.reason ? { reason: input.reason } : {}) },
      updatedAt: this.now().toISOString(),
    };
    await this.requests.save(rejected);
    await this.audit.append({ requestId: request.id, kind: 'rejected', actor: input.user, details: { reason: input.reason ?? (isRequester ? 'withdrawn by the requester' : '') } });
    const message = `Rejected by ${input.user.name ?? input.user.id}; nothing was executed.`;
    return { outcome: 'rejected', message, reply: approvalCard(rejected, message), request: rejected };
  }

  /** EXPLAIN (never ANALYZE) of each explainable statement in a read-only analysis session. */
  private async dryRun(request: ApprovalRequest, input: ApprovalActionInput): Promise<ApprovalActionResult> {
    if (!isAllowedApprover(this.options.policy, input.user) && !samePrincipal(input.user, request.requester)) {
      return this.refuse(request, input, 'Only approvers and the requester can run a dry-run of this request.');
    }
    if (!this.options.target) return this.refuse(request, input, 'No target database is configured, so there is nothing to EXPLAIN against.', false);
    await loadSqlParser();
    const classification = classifyScript(request.sql);
    const explainable = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
    const plans: { sql: string; plan: string }[] = [];
    const target = await this.options.target();
    for (const statement of classification.statements) {
      if (!explainable.has(statement.nodeType)) {
        plans.push({ sql: statement.sql, plan: `${statement.nodeType.replace(/Stmt$/, '')} cannot be EXPLAINed; the card shows its lock and size impact instead.` });
        continue;
      }
      try {
        const result = await target.query<{ 'QUERY PLAN': string }>(`explain ${statement.sql}`);
        plans.push({ sql: statement.sql, plan: result.rows.map((r) => r['QUERY PLAN']).join('\n') });
      } catch (error) {
        plans.push({ sql: statement.sql, plan: `EXPLAIN failed: ${(error as Error).message}` });
      }
    }
    for (const query of request.verifyQueries) {
      const result = await target.query<{ 'QUERY PLAN': string }>(`explain ${query}`).catch((error: Error) => ({ rows: [{ 'QUERY PLAN': `EXPLAIN failed: ${error.message}` }] }));
      plans.push({ sql: query, plan: result.rows.map((r) => r['QUERY PLAN']).join('\n') });
    }
    const updated: ApprovalRequest = { ...request, dryRun: { at: this.now().toISOString(), by: input.user, plans }, updatedAt: this.now().toISOString() };
    await this.requests.save(updated);
    await this.audit.append({ requestId: request.id, kind: 'dry-run', actor: input.user, details: { plans } });
    const message = 'Dry-run: plans below (EXPLAIN only; nothing was executed).';
    return { outcome: 'dry-run', message, reply: approvalCard(updated, message), request: updated };
  }
}

export class ApprovalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalInputError';
  }
}
