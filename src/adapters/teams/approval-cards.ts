/**
 * Approval cards on Teams carry a Universal Actions `refresh`: when someone views the card,
 * Teams asks pgdba for its current state, so a card stays true after changes that happen off
 * the card (a scheduled change run in its maintenance window, an expiry, another replica's
 * execution). The refresh only reads the request; it never runs an action.
 */
import { approvalCard, parseApprovalPayload, type ApprovalRequest } from '../../bot/approvals/index.js';
import type { Reply } from '../../tools/reply.js';
import type { CardRefresh } from './adaptive-card.js';

/** Reads change requests (ApprovalWorkflow.get). */
export interface ApprovalLookup {
  get(requestId: string): Promise<ApprovalRequest | undefined>;
}

export class ApprovalCards {
  constructor(private readonly lookup: ApprovalLookup | undefined) {}

  /** The refresh a reply's card gets: only approval cards, and only when their state can be read. */
  refreshFor(reply: Reply): CardRefresh | undefined {
    if (!this.lookup) return undefined;
    for (const block of reply.blocks) {
      if (block.type !== 'actions') continue;
      for (const action of block.actions) {
        const approval = parseApprovalPayload(action.payload);
        if (approval) return { requestId: approval.requestId };
      }
    }
    return undefined;
  }

  /** The card of a change request as it stands now, or undefined when it is not known here. */
  async current(requestId: string): Promise<Reply | undefined> {
    const request = await this.lookup?.get(requestId);
    return request ? approvalCard(request) : undefined;
  }
}
