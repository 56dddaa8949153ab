/**
 * Which of the Slack user groups named in PGDBA_APPROVERS (`slack:group:S…`) a person belongs
 * to, from usergroups.users.list (scope usergroups:read). Slack sends no group membership with
 * a click, so it is looked up when an approval button is clicked, and each group's member list
 * is kept briefly (the method is rate-limited, Tier 2). A failed lookup is never cached and never
 * grants anything: the person is told approval through a group is refused until it works.
 */
import type { webApi } from '@slack/bolt';
import type { ApproverPolicy } from '../../bot/approvals/approver-policy.js';

type WebClient = webApi.WebClient;

export type GroupMembership = { groups: string[] } | { failure: string };

/** Slack user-group ids that PGDBA_APPROVERS lets approve. */
export function slackApproverGroups(policy: ApproverPolicy): string[] {
  return [...new Set(policy.entries.filter((e) => e.platform === 'slack' && e.kind === 'group').map((e) => e.id))];
}

export class SlackUserGroups {
  private readonly members = new Map<string, { at: number; users: Promise<ReadonlySet<string>> }>();

  constructor(
    private readonly client: WebClient,
    private readonly groupIds: readonly string[],
    private readonly ttlMs = 60_000,
  ) {}

  /** False when no Slack group may approve: then no lookup is needed. */
  get configured(): boolean {
    return this.groupIds.length > 0;
  }

  async membershipOf(userId: string): Promise<GroupMembership> {
    const groups: string[] = [];
    for (const group of this.groupIds) {
      try {
        if ((await this.usersOf(group)).has(userId)) groups.push(group);
      } catch (error) {
        return { failure: describeFailure(group, error) };
      }
    }
    return { groups };
  }

  private usersOf(group: string): Promise<ReadonlySet<string>> {
    const cached = this.members.get(group);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.users;
    const users = this.client.usergroups.users
      .list({ usergroup: group })
      .then((result) => new Set(result.users ?? []) as ReadonlySet<string>);
    this.members.set(group, { at: Date.now(), users });
    // Only successes are kept: the next click after a failure asks Slack again.
    users.catch(() => {
      if (this.members.get(group)?.users === users) this.members.delete(group);
    });
    return users;
  }
}

function describeFailure(group: string, error: unknown): string {
  const code = (error as { data?: { error?: string } }).data?.error;
  const hint = code === 'missing_scope' ? ': the Slack app needs the usergroups:read scope (see docs/slack.md)' : code === 'no_such_subteam' ? `: there is no user group ${group}; check PGDBA_APPROVERS` : '';
  return `Slack usergroups.users.list for ${group} failed with ${code ?? (error as Error).message}${hint}`;
}
