/**
 * Microsoft Entra (AAD) groups as approvers: `teams:group:<id>` in PGDBA_APPROVERS. Teams does
 * not say which groups a user is in, so pgdba asks Microsoft Graph
 * (`POST /users/{aadObjectId}/checkMemberGroups` with the configured group ids) with an app-only
 * token of the bot's own app, and remembers the answer for a few minutes. A failure is never
 * cached and never grants anything: the person gets no groups and the refusal says what to fix.
 */
import { isAllowedApprover, type ApproverPolicy } from '../../bot/approvals/index.js';
import type { Config } from '../../config.js';
import type { Asker } from '../../tools/tool.js';

/** Why a group membership could not be checked, phrased for the person who clicked. */
export class GroupLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GroupLookupError';
  }
}

/** Which of the given groups a user belongs to. */
export interface GroupDirectory {
  memberGroups(user: { aadObjectId: string; tenantId?: string | undefined }, groupIds: readonly string[]): Promise<string[]>;
}

export interface GraphGroupDirectoryOptions {
  appId: string;
  appPassword: string;
  /** The app's tenant (single-tenant apps); otherwise the clicking user's tenant is asked. */
  tenantId?: string | undefined;
  /** Microsoft Graph base, e.g. https://graph.microsoft.com/v1.0 (MICROSOFT_GRAPH_URL). */
  graphUrl: string;
  /** Token authority, e.g. https://login.microsoftonline.com (MICROSOFT_LOGIN_URL). */
  loginUrl: string;
  /** How long a membership answer is reused (default 5 minutes). */
  cacheMs?: number;
  now?: () => number;
}

const permissionHint =
  'An administrator must grant the pgdba bot app the Microsoft Graph application permissions GroupMember.Read.All and User.Read.All, with admin consent (see docs/teams.md).';
/** Graph checks at most 20 groups per checkMemberGroups request. */
const groupsPerRequest = 20;
const requestTimeoutMs = 5_000;
const maxCachedUsers = 1_000;

/** Graph with the client-credentials flow of the bot's app (app id + client secret). */
export class GraphGroupDirectory implements GroupDirectory {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly memberships = new Map<string, { groups: string[]; at: number }>();
  private readonly lookups = new Map<string, Promise<string[]>>();
  private readonly now: () => number;
  private readonly cacheMs: number;

  constructor(private readonly options: GraphGroupDirectoryOptions) {
    this.now = options.now ?? Date.now;
    this.cacheMs = options.cacheMs ?? 5 * 60_000;
  }

  memberGroups(user: { aadObjectId: string; tenantId?: string | undefined }, groupIds: readonly string[]): Promise<string[]> {
    const tenant = this.options.tenantId ?? user.tenantId;
    if (!tenant) return Promise.reject(new GroupLookupError('Teams did not say which Microsoft Entra tenant you are in, so your group membership cannot be checked. Set MICROSOFT_APP_TENANT_ID.'));
    const key = `${tenant}\u0000${user.aadObjectId}\u0000${groupIds.join(',')}`;
    const known = this.memberships.get(key);
    if (known && this.now() - known.at < this.cacheMs) return Promise.resolve(known.groups);
    let lookup = this.lookups.get(key);
    if (!lookup) {
      lookup = this.check(tenant, user.aadObjectId, groupIds)
        .then((groups) => {
          if (this.memberships.size >= maxCachedUsers) this.memberships.delete(this.memberships.keys().next().value!);
          this.memberships.set(key, { groups, at: this.now() });
          return groups;
        })
        .finally(() => this.lookups.delete(key));
      this.lookups.set(key, lookup);
    }
    return lookup;
  }

  private async check(tenant: string, aadObjectId: string, groupIds: readonly string[]): Promise<string[]> {
    const token = await this.token(tenant);
    const member: string[] = [];
    for (let start = 0; start < groupIds.length; start += groupsPerRequest) {
      const response = await this.call('Microsoft Graph', `${this.options.graphUrl.replace(/\/+$/, '')}/users/${encodeURIComponent(aadObjectId)}/checkMemberGroups`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ groupIds: groupIds.slice(start, start + groupsPerRequest) }),
      });
      if (!response.ok) throw new GroupLookupError(`${await describeFailure('Microsoft Graph', response)}. ${response.status === 401 || response.status === 403 ? permissionHint : 'Try again in a minute.'}`);
      const value = ((await response.json()) as { value?: unknown }).value;
      if (!Array.isArray(value)) throw new GroupLookupError('Microsoft Graph answered checkMemberGroups without a list of groups. Try again in a minute.');
      member.push(...value.filter((id): id is string => typeof id === 'string'));
    }
    return member;
  }

  /** App-only token for Graph, reused until five minutes before it expires. */
  private async token(tenant: string): Promise<string> {
    const cached = this.tokens.get(tenant);
    if (cached && cached.expiresAt > this.now()) return cached.token;
    const response = await this.call('the Microsoft Entra token endpoint', `${this.options.loginUrl.replace(/\/+$/, '')}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.options.appId,
        client_secret: this.options.appPassword,
        scope: `${new URL(this.options.graphUrl).origin}/.default`,
      }).toString(),
    });
    if (!response.ok) throw new GroupLookupError(`${await describeFailure('The Microsoft Entra token endpoint', response)}. Check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID.`);
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') throw new GroupLookupError('The Microsoft Entra token endpoint answered without an access token. Try again in a minute.');
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 0)) * 1000;
    this.tokens.set(tenant, { token: body.access_token, expiresAt: this.now() + Math.max(0, lifetimeMs - 5 * 60_000) });
    return body.access_token;
  }

  private async call(service: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(requestTimeoutMs) });
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `did not answer within ${requestTimeoutMs / 1000} s` : 'could not be reached';
      throw new GroupLookupError(`${service} ${reason}. Try again in a minute.`);
    }
  }
}

/** A directory that cannot work with this configuration: every lookup fails with the reason. */
export class UnavailableGroupDirectory implements GroupDirectory {
  constructor(private readonly reason: string) {}

  memberGroups(): Promise<string[]> {
    return Promise.reject(new GroupLookupError(this.reason));
  }
}

/** "HTTP 403 (Authorization_RequestDenied)": the status and the service's error code, never its token or body. */
async function describeFailure(service: string, response: Response): Promise<string> {
  let code = '';
  try {
    const body = (await response.json()) as { error?: unknown };
    code = typeof body.error === 'string' ? body.error : typeof (body.error as { code?: unknown } | undefined)?.code === 'string' ? String((body.error as { code: string }).code) : '';
  } catch {
    // Not JSON: the status says enough.
  }
  return `${service} answered HTTP ${response.status}${code ? ` (${code})` : ''}`;
}

/**
 * Fills in the clicking user's groups when PGDBA_APPROVERS names Teams groups and the user is
 * not already listed by id (then no Graph call is needed).
 */
export class ApproverGroups {
  readonly groupIds: string[];

  constructor(
    private readonly policy: ApproverPolicy,
    private readonly directory: GroupDirectory | undefined,
  ) {
    this.groupIds = policy.entries.filter((entry) => entry.platform === 'teams' && entry.kind === 'group').map((entry) => entry.id);
  }

  needed(user: Asker): boolean {
    return this.groupIds.length > 0 && !isAllowedApprover(this.policy, user);
  }

  /** The user with the configured groups they belong to; throws GroupLookupError with what to fix. */
  async resolve(user: Asker, identity: { aadObjectId?: string | undefined; tenantId?: string | undefined }): Promise<Asker> {
    if (!this.directory) throw new GroupLookupError('Teams group approvers are configured but no group directory is available.');
    if (!identity.aadObjectId) throw new GroupLookupError('Teams did not send your Microsoft Entra object id, so your group membership cannot be checked.');
    const groups = await this.directory.memberGroups({ aadObjectId: identity.aadObjectId, tenantId: identity.tenantId }, this.groupIds);
    return { ...user, groups };
  }
}

/**
 * Microsoft Graph with the bot's app id and client secret, when the configuration allows it; a
 * managed identity or the emulator cannot ask Graph, so group approvers are then refused with the
 * reason (approvers listed by AAD object id still work).
 */
export function groupDirectoryFor(config: Config): GroupDirectory {
  if (!config.MICROSOFT_APP_ID || !config.MICROSOFT_APP_PASSWORD) {
    return new UnavailableGroupDirectory(
      'Teams group approvers (teams:group:… in PGDBA_APPROVERS) need the bot\'s app id and client secret (MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD) to ask Microsoft Graph; list approvers by AAD object id (teams:<id>) otherwise.',
    );
  }
  return new GraphGroupDirectory({
    appId: config.MICROSOFT_APP_ID,
    appPassword: config.MICROSOFT_APP_PASSWORD,
    tenantId: config.MICROSOFT_APP_TENANT_ID,
    graphUrl: config.MICROSOFT_GRAPH_URL,
    loginUrl: config.MICROSOFT_LOGIN_URL,
  });
}
