/**
 * Who may approve changes, from PGDBA_APPROVERS: comma-separated entries such as
 * `slack:U0123` (a user), `slack:group:S0GROUP` or `slack:S0GROUP` (a Slack user group),
 * `discord:role:1234`, `discord:5678` (a user), `teams:<aad-object-id>`, `teams:group:<id>`,
 * `local:<name>`. Decisions use platform ids only, never display names.
 */
import type { Principal } from '../../engine/execute/approved-change.js';

/** A person in chat as adapters describe them: platform id plus the groups/roles they belong to. */
export interface ChatUser extends Principal {
  /** Slack user groups, Teams (AAD) groups. */
  groups?: string[];
  /** Discord roles. */
  roles?: string[];
  /**
   * Set by an adapter when the platform could not say which groups the person belongs to (a
   * failed Slack usergroups lookup): `groups` is then empty and refusals say why.
   */
  groupLookupFailure?: string;
}

export interface ApproverEntry {
  platform: string;
  kind: 'user' | 'group' | 'role';
  id: string;
}

export interface ApproverPolicy {
  entries: ApproverEntry[];
}

export class ApproverConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApproverConfigurationError';
  }
}

const example = 'slack:U0123ABCD,slack:group:S0GROUP,discord:role:1234,teams:<aad-object-id>';

/** Parses PGDBA_APPROVERS; unset or empty means nobody can approve (changes stay pending). */
export function parseApprovers(text: string | undefined): ApproverPolicy {
  const entries: ApproverEntry[] = [];
  for (const raw of (text ?? '').split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const parts = item.split(':');
    const platform = parts[0]!.toLowerCase();
    if (parts.length < 2 || !/^[a-z]+$/.test(platform) || parts.some((p) => p.trim() === '')) {
      throw new ApproverConfigurationError(`PGDBA_APPROVERS entry "${item}" is not platform:id; write entries like ${example}.`);
    }
    if (parts.length === 3) {
      const kind = parts[1]!.toLowerCase();
      if (kind !== 'group' && kind !== 'role' && kind !== 'user') {
        throw new ApproverConfigurationError(`PGDBA_APPROVERS entry "${item}": the middle part must be user, group or role.`);
      }
      entries.push({ platform, kind, id: parts[2]! });
    } else if (parts.length === 2) {
      // Slack user-group ids start with "S"; user ids with "U" or "W".
      const id = parts[1]!;
      entries.push({ platform, kind: platform === 'slack' && /^S[A-Z0-9]+$/.test(id) ? 'group' : 'user', id });
    } else {
      throw new ApproverConfigurationError(`PGDBA_APPROVERS entry "${item}" has too many parts; write entries like ${example}.`);
    }
  }
  return { entries };
}

/** True when the user is listed, or belongs to a listed group or role, on their platform. */
export function isAllowedApprover(policy: ApproverPolicy, user: ChatUser): boolean {
  return policy.entries.some((entry) => {
    if (entry.platform !== user.platform.toLowerCase()) return false;
    if (entry.kind === 'user') return entry.id === user.id;
    if (entry.kind === 'group') return (user.groups ?? []).includes(entry.id);
    return (user.roles ?? []).includes(entry.id);
  });
}

/** For people: "slack user U0123, discord role 1234". */
export function describePolicy(policy: ApproverPolicy): string {
  if (policy.entries.length === 0) return 'nobody (PGDBA_APPROVERS is not set)';
  return policy.entries.map((e) => `${e.platform} ${e.kind} ${e.id}`).join(', ');
}
