import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApproverGroups, GraphGroupDirectory, GroupLookupError } from '../../../src/adapters/teams/teams-groups.js';
import { parseApprovers } from '../../../src/bot/approvals/index.js';
import { FakeGraph } from './fake-graph.js';

const dba = '6f1c0a6e-aaaa-bbbb-cccc-0000000000a1';
const dbaGroup = '0c6a0c2e-1111-2222-3333-00000000g001';

describe('Teams group approvers through Microsoft Graph (local fake token endpoint and Graph)', () => {
  let graph: FakeGraph;
  let clock: number;
  const directory = (overrides: Partial<ConstructorParameters<typeof GraphGroupDirectory>[0]> = {}) =>
    new GraphGroupDirectory({ appId: 'app-1', appPassword: 'graph-test-secret', graphUrl: `${graph.baseUrl}/v1.0`, loginUrl: graph.baseUrl, now: () => clock, ...overrides });

  beforeAll(async () => {
    graph = await FakeGraph.start();
    graph.memberships.set(dba, [dbaGroup, 'other-group']);
  });
  afterAll(async () => {
    await graph?.close();
  });

  it('asks checkMemberGroups with an app-only token of the bot and keeps the answer for a few minutes', async () => {
    clock = 1_000_000;
    const groups = directory({ cacheMs: 60_000 });
    expect(await groups.memberGroups({ aadObjectId: dba, tenantId: 'tenant-1' }, [dbaGroup, 'not-a-member'])).toEqual([dbaGroup]);
    const token = graph.tokenRequests.at(-1)!;
    expect(token.path).toBe('/tenant-1/oauth2/v2.0/token');
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({ grant_type: 'client_credentials', client_id: 'app-1', client_secret: 'graph-test-secret', scope: `${graph.baseUrl}/.default` });
    const check = graph.graphRequests.at(-1)!;
    expect(check.path).toBe(`/v1.0/users/${dba}/checkMemberGroups`);
    expect(check.authorization).toMatch(/^Bearer graph-token-\d+$/);
    expect(JSON.parse(check.body)).toEqual({ groupIds: [dbaGroup, 'not-a-member'] });

    const [tokens, checks] = [graph.tokenRequests.length, graph.graphRequests.length];
    // Within the cache time: no request at all; after it: Graph again, with the same token.
    expect(await groups.memberGroups({ aadObjectId: dba, tenantId: 'tenant-1' }, [dbaGroup, 'not-a-member'])).toEqual([dbaGroup]);
    expect([graph.tokenRequests.length, graph.graphRequests.length]).toEqual([tokens, checks]);
    clock += 60_001;
    await groups.memberGroups({ aadObjectId: dba, tenantId: 'tenant-1' }, [dbaGroup, 'not-a-member']);
    expect([graph.tokenRequests.length, graph.graphRequests.length]).toEqual([tokens, checks + 1]);
  });

  it('shares one lookup between simultaneous clicks and splits more than 20 groups into several requests', async () => {
    clock = 2_000_000;
    const groups = directory({ tenantId: 'tenant-2' });
    const many = [dbaGroup, ...Array.from({ length: 24 }, (_, i) => `group-${i}`)];
    const before = graph.graphRequests.length;
    const answers = await Promise.all([1, 2, 3].map(() => groups.memberGroups({ aadObjectId: dba }, many)));
    expect(answers).toEqual([[dbaGroup], [dbaGroup], [dbaGroup]]);
    const requests = graph.graphRequests.slice(before).map((request) => (JSON.parse(request.body) as { groupIds: string[] }).groupIds.length);
    expect(requests).toEqual([20, 5]);
    expect(graph.tokenRequests.at(-1)!.path).toBe('/tenant-2/oauth2/v2.0/token');
  });

  it('fails closed with what to fix: missing permission, wrong secret, unknown tenant', async () => {
    clock = 3_000_000;
    graph.refuse = { status: 403, code: 'Authorization_RequestDenied' };
    try {
      const refused = directory().memberGroups({ aadObjectId: dba, tenantId: 'tenant-1' }, [dbaGroup]);
      await expect(refused).rejects.toBeInstanceOf(GroupLookupError);
      await expect(refused).rejects.toThrow(/HTTP 403 \(Authorization_RequestDenied\).*GroupMember\.Read\.All and User\.Read\.All/);
    } finally {
      graph.refuse = undefined;
    }
    const wrongSecret = directory({ appPassword: 'an-old-secret' }).memberGroups({ aadObjectId: dba, tenantId: 'tenant-1' }, [dbaGroup]);
    await expect(wrongSecret).rejects.toThrow(/token endpoint answered HTTP 401 \(invalid_client\).*MICROSOFT_APP_PASSWORD/);
    await expect(wrongSecret).rejects.not.toThrow(/an-old-secret/);
    await expect(directory().memberGroups({ aadObjectId: dba }, [dbaGroup])).rejects.toThrow(/which Microsoft Entra tenant.*MICROSOFT_APP_TENANT_ID/);
    const unreachable = directory({ graphUrl: 'http://127.0.0.1:9/v1.0', loginUrl: 'http://127.0.0.1:9' }).memberGroups({ aadObjectId: dba, tenantId: 'tenant-1' }, [dbaGroup]);
    await expect(unreachable).rejects.toThrow(/could not be reached/);
  });

  it('only looks groups up when PGDBA_APPROVERS names Teams groups and the user is not listed by id', async () => {
    const withGroups = new ApproverGroups(parseApprovers(`teams:${dba},teams:group:${dbaGroup}`), directory());
    expect(withGroups.groupIds).toEqual([dbaGroup]);
    expect(withGroups.needed({ platform: 'teams', id: dba })).toBe(false);
    expect(withGroups.needed({ platform: 'teams', id: 'someone-else' })).toBe(true);
    expect(new ApproverGroups(parseApprovers(`teams:${dba},slack:group:S0GROUP`), directory()).needed({ platform: 'teams', id: 'someone-else' })).toBe(false);
    await expect(withGroups.resolve({ platform: 'teams', id: '29:emulator-user' }, {})).rejects.toThrow(/did not send your Microsoft Entra object id/);
  });
});
