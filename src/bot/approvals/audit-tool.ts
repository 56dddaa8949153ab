/** `audit`: the append-only trail of guarded changes, as a table or exported as JSON. */
import { z } from 'zod';
import type { AuditLog, AuditKind } from './audit-log.js';
import { ReplyBuilder } from '../../tools/reply.js';
import { defineTool } from '../../tools/tool.js';

const kinds: [AuditKind, ...AuditKind[]] = ['requested', 'approved', 'rejected', 'refused', 'expired', 'dry-run', 'scheduled', 'execution-started', 'execution-finished'];

function summary(details: Record<string, unknown>): string {
  if (typeof details.sql === 'string') return details.sql.slice(0, 80);
  if (typeof details.reason === 'string' && details.reason) return details.reason.slice(0, 120);
  if (typeof details.status === 'string') return `${details.status}${typeof details.durationMs === 'number' ? ` in ${(details.durationMs / 1000).toFixed(1)} s` : ''}${typeof details.error === 'string' ? `: ${details.error.slice(0, 100)}` : ''}`;
  return '';
}

export function createAuditTool(audit: AuditLog) {
  return defineTool({
    name: 'audit',
    description: 'Shows the audit trail of change requests, approvals, rejections and executions; can export it as JSON.',
    examples: ['audit', 'audit chg-1a2b3c4d', 'export audit as json'],
    input: z
      .object({
        requestId: z.string().regex(/^chg-[0-9a-f]{8}$/, 'Change request ids look like chg-1a2b3c4d.').optional(),
        kind: z.enum(kinds).optional(),
        since: z.iso.datetime().or(z.iso.date()).optional(),
        limit: z.number().int().min(1).max(1_000).default(50),
        format: z.enum(['table', 'json']).default('table'),
      })
      .strict(),
    async run(input) {
      const filter = {
        ...(input.requestId ? { requestId: input.requestId } : {}),
        ...(input.kind ? { kind: input.kind } : {}),
        ...(input.since ? { since: new Date(input.since) } : {}),
        limit: input.limit,
      };
      const records = await audit.query(filter);
      const reply = new ReplyBuilder();
      if (records.length === 0) {
        reply.text(input.requestId ? `No audit records for ${input.requestId}.` : 'No audit records yet: nothing has been requested.');
      } else if (input.format === 'json') {
        reply.code(await audit.exportJson(filter), 'json', 'Audit export');
      } else {
        reply.table({
          title: `Audit trail${input.requestId ? ` of ${input.requestId}` : ''}`,
          columns: ['Time', 'Request', 'Event', 'By', 'Detail'],
          rows: records.map((r) => [r.at, r.requestId, r.kind, r.actor ? `${r.actor.name ?? r.actor.id} (${r.actor.platform})` : 'pgdba', summary(r.details)]),
        });
      }
      return { data: { records }, reply: reply.build() };
    },
  });
}
