import { describe, expect, it } from 'vitest';
import { ApproverConfigurationError, isAllowedApprover, parseApprovalPayload, parseApprovers, parseChangeRequest, approvalPayload } from '../../../src/bot/approvals/index.js';

describe('parseApprovers', () => {
  it('reads users, Slack user groups, Discord roles and Teams object ids', () => {
    expect(parseApprovers('slack:U0123, slack:group:S0GROUP,slack:S0OTHER,discord:role:1234,discord:999,teams:8f1c-aa').entries).toEqual([
      { platform: 'slack', kind: 'user', id: 'U0123' },
      { platform: 'slack', kind: 'group', id: 'S0GROUP' },
      { platform: 'slack', kind: 'group', id: 'S0OTHER' },
      { platform: 'discord', kind: 'role', id: '1234' },
      { platform: 'discord', kind: 'user', id: '999' },
      { platform: 'teams', kind: 'user', id: '8f1c-aa' },
    ]);
  });

  it('treats unset as nobody', () => {
    expect(parseApprovers(undefined).entries).toEqual([]);
    expect(isAllowedApprover(parseApprovers(''), { platform: 'slack', id: 'U1' })).toBe(false);
  });

  it.each(['U0123', 'slack:', 'slack:team:T1', ':U1', 'a:b:c:d'])('rejects "%s" saying how to write it', (bad) => {
    expect(() => parseApprovers(bad)).toThrow(ApproverConfigurationError);
  });

  it('matches on platform, id, groups and roles', () => {
    const policy = parseApprovers('slack:U1,slack:group:SDBA,discord:role:42');
    expect(isAllowedApprover(policy, { platform: 'slack', id: 'U1' })).toBe(true);
    expect(isAllowedApprover(policy, { platform: 'discord', id: 'U1' })).toBe(false);
    expect(isAllowedApprover(policy, { platform: 'slack', id: 'U2', groups: ['SDBA'] })).toBe(true);
    expect(isAllowedApprover(policy, { platform: 'discord', id: '7', roles: ['42'] })).toBe(true);
    expect(isAllowedApprover(policy, { platform: 'discord', id: '7', roles: ['43'], groups: ['SDBA'] })).toBe(false);
    expect(isAllowedApprover(policy, { platform: 'slack', id: 'U9', name: 'U1' })).toBe(false);
  });
});

describe('parseChangeRequest', () => {
  it.each([
    ['apply: CREATE INDEX CONCURRENTLY i ON t (a)', 'CREATE INDEX CONCURRENTLY i ON t (a)'],
    ['please create this index: create index concurrently i on t (a)', 'create index concurrently i on t (a)'],
    ['Could you apply this change: vacuum (analyze) t', 'vacuum (analyze) t'],
    ['apply:\n```sql\ndrop index concurrently i\n```', 'drop index concurrently i'],
    ['request change: analyze t', 'analyze t'],
  ])('%s', (text, sql) => {
    expect(parseChangeRequest(text)).toBe(sql);
  });

  it.each(['what indexes does t have?', 'apply:', 'explain select 1'])('is not a change request: %s', (text) => {
    expect(parseChangeRequest(text)).toBeUndefined();
  });
});

describe('approval payloads', () => {
  it('round-trips and refuses foreign payloads', () => {
    expect(parseApprovalPayload(approvalPayload('approve', 'chg-1a2b3c4d'))).toEqual({ action: 'approve', requestId: 'chg-1a2b3c4d' });
    expect(parseApprovalPayload('pgdba-approval:execute:chg-1')).toBeUndefined();
    expect(parseApprovalPayload('explain:select 1')).toBeUndefined();
    expect(parseApprovalPayload('pgdba-approval:approve:chg-1:extra')).toBeUndefined();
  });
});
