/**
 * Card buttons on Teams. pgdba renders them as Action.Execute (Universal Actions): the click
 * arrives as an `adaptiveCard/action` invoke, answered with the card the clicker sees, and the
 * shared card is edited (updateActivity) so everyone else sees the new state too. Clients
 * without Universal Actions fall back to Action.Submit, whose click arrives as a message and
 * whose result replaces the card. An approval that executes a change edits the card with its
 * progress (index build phases, lock-timeout retries) until the result replaces it.
 */
import { CardFactory, MessageFactory, TurnContext, type Activity, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type ConversationReference } from 'botbuilder';
import type { Assistant } from '../../bot/agent/assistant.js';
import { parseApprovalPayload } from '../../bot/approvals/index.js';
import { logger } from '../../bot/logger.js';
import type { Progress, Reply } from '../../tools/reply.js';
import type { Asker } from '../../tools/tool.js';
import { adaptiveCardContentType, refreshedRequest, refreshVerb, submittedAction, textCard, type AdaptiveCard, type SubmittedAction, type TeamsRendering } from './adaptive-card.js';
import type { ApprovalCards } from './approval-cards.js';
import { settlesWithin, type BackgroundWork } from './background-work.js';
import { ProgressCard } from './progress-card.js';
import { GroupLookupError, type ApproverGroups } from './teams-groups.js';
import { identityOf, sendCards, teamsAsker, type ContinueConversation, type TeamsIdentity } from './teams-turn.js';

export interface TeamsActionClick {
  actionId: string;
  payload: string;
  user: TeamsIdentity;
  /** Progress of the work the click started; each report edits the clicked card (throttled). */
  progress?: (progress: Progress) => void;
}

/** Answers a card button with the reply that replaces the card. */
export type TeamsActionHandler = (click: TeamsActionClick) => Promise<Reply>;

export interface CardClicksOptions {
  assistant: Assistant;
  /** Routes clicks elsewhere (tests); by default Assistant.handleAction runs them. */
  onAction?: TeamsActionHandler | undefined;
  continueConversation: ContinueConversation;
  render: (reply: Reply) => Promise<TeamsRendering>;
  work: BackgroundWork;
  approverGroups: ApproverGroups;
  approvalCards: ApprovalCards;
  /** Least time between two progress edits of a card. */
  progressIntervalMs: number;
  /**
   * How long an Action.Execute invoke waits for the result before it is answered with the
   * progress card (Teams gives an invoke only a few seconds; an index build takes longer).
   */
  invokeDeadlineMs: number;
}

interface ClickOutcome {
  rendering: TeamsRendering;
  /**
   * True when the result is the card's new state for everyone; false for a refusal ("you
   * cannot approve your own request"), which only the clicker needs to see.
   */
  shared: boolean;
}

interface Clicker {
  identity: TeamsIdentity;
  user: Asker;
}

export class CardClicks {
  constructor(private readonly options: CardClicksOptions) {}

  /** Action.Submit: the click came as a message; the result replaces the card it was clicked on. */
  onSubmit(context: TurnContext, action: SubmittedAction): void {
    const activity = context.activity;
    const reference = TurnContext.getConversationReference(activity);
    const cardId = activity.replyToId;
    const work = async () => {
      const clicker = await this.clicker(activity, action);
      const progress = cardId ? this.progressCard(reference, activity, cardId, clicker.identity) : undefined;
      const { rendering } = await this.run(action, clicker, progress);
      await progress?.settle();
      await this.options.continueConversation(reference, (later) => (cardId ? replaceCard(later, activity, cardId, rendering) : sendCards(later, rendering)));
    };
    this.options.work.track(work(), 'a card click');
  }

  /**
   * Action.Execute: answers the invoke with the card the clicker sees — the result when it is
   * ready in time, else the progress card — and edits the shared card for everyone else.
   */
  async onExecute(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    if (value.action.verb === refreshVerb) return this.refresh(value.action.data);
    const action = submittedAction(value.action.data);
    if (!action) return errorResponse(400, 'BadRequest', 'This button was not made by pgdba, so nothing was done.');
    const activity = context.activity;
    const clicker = await this.clicker(activity, action);
    const reference = TurnContext.getConversationReference(activity);
    const cardId = activity.replyToId;
    const progress = cardId ? this.progressCard(reference, activity, cardId, clicker.identity) : undefined;
    const outcome = this.run(action, clicker, progress);
    const inTime = await settlesWithin(outcome, this.options.invokeDeadlineMs);
    this.options.work.track(this.finish(outcome, progress, reference, activity, cardId, !inTime), 'a card click');
    return cardResponse(inTime ? (await outcome).rendering.card : (progress?.card ?? textCard([{ text: 'Working on it…' }])));
  }

  /** After an Action.Execute invoke: the shared card shows the result, charts follow. */
  private async finish(outcome: Promise<ClickOutcome>, progress: ProgressCard | undefined, reference: Partial<ConversationReference>, activity: Activity, cardId: string | undefined, late: boolean): Promise<void> {
    const { rendering, shared } = await outcome;
    await progress?.settle();
    // The clicker saw a progress card (or others saw progress edits): the result must replace it.
    const replace = shared || late || progress?.edited === true;
    if (!replace && rendering.imageCards.length === 0) return;
    await this.options.continueConversation(reference, async (later) => {
      if (replace && cardId) await replaceCard(later, activity, cardId, { card: rendering.card, imageCards: [] });
      else if (late) await later.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(rendering.card)));
      for (const imageCard of rendering.imageCards) await later.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(imageCard)));
    });
  }

  /** The card's current state for a Universal Actions refresh; reads only, never runs an action. */
  private async refresh(data: Record<string, unknown>): Promise<AdaptiveCardInvokeResponse> {
    const target = refreshedRequest(data);
    const reply = target ? await this.options.approvalCards.current(target.requestId) : undefined;
    if (!reply) return messageResponse('pgdba does not know this change request any more (it may have been created on another store); ask for the change again.');
    return cardResponse((await this.options.render(reply)).card);
  }

  private async run(action: SubmittedAction, clicker: Clicker, progress: ProgressCard | undefined): Promise<ClickOutcome> {
    const report = progress ? (update: Progress) => progress.report(update) : undefined;
    try {
      if (this.options.onAction) {
        const reply = await this.options.onAction({ actionId: action.id, payload: action.payload, user: clicker.identity, ...(report ? { progress: report } : {}) });
        return { rendering: await this.options.render(reply), shared: true };
      }
      const answer = await this.options.assistant.handleAction(action, { user: clicker.user, ...(report ? { progress: report } : {}) });
      return { rendering: await this.options.render(answer.reply), shared: answer.ok || answer.error?.kind !== 'bad-input' };
    } catch (error) {
      logger.error('teams: a card click failed', error);
      return { rendering: { card: textCard([{ text: 'Something went wrong while handling this click. The error was logged; please try again.' }]), imageCards: [] }, shared: false };
    }
  }

  /**
   * Who clicked; for approval buttons with Teams group approvers, with their groups. A failed
   * lookup fails closed: no groups, and the reason, which the approval's refusal then gives.
   */
  private async clicker(activity: Activity, action: SubmittedAction): Promise<Clicker> {
    const identity = identityOf(activity);
    const user = teamsAsker(identity);
    if (!parseApprovalPayload(action.payload) || !this.options.approverGroups.needed(user)) return { identity, user };
    try {
      return { identity, user: await this.options.approverGroups.resolve(user, identity) };
    } catch (error) {
      if (!(error instanceof GroupLookupError)) logger.error('teams: the group membership check failed', error);
      const reason = error instanceof GroupLookupError ? error.message : 'the group membership check failed unexpectedly';
      return { identity, user: { ...user, groups: [], groupLookupFailure: reason } };
    }
  }

  private progressCard(reference: Partial<ConversationReference>, activity: Activity, cardId: string, identity: TeamsIdentity): ProgressCard {
    const edit = (card: AdaptiveCard) => this.options.continueConversation(reference, (later) => replaceCard(later, activity, cardId, { card, imageCards: [] }));
    return new ProgressCard(edit, identity.userName ?? identity.userId, this.options.progressIntervalMs);
  }
}

/** Replaces the clicked card (updateActivity), then posts any chart that did not fit in it. */
async function replaceCard(context: TurnContext, activity: Activity, cardId: string, rendering: TeamsRendering): Promise<void> {
  await context.updateActivity({ type: 'message', id: cardId, conversation: activity.conversation, attachments: [CardFactory.adaptiveCard(rendering.card)] });
  for (const imageCard of rendering.imageCards) await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(imageCard)));
}

function cardResponse(card: AdaptiveCard): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: adaptiveCardContentType, value: card as unknown as Record<string, unknown> };
}

/** A message Teams shows to the clicker; the card itself stays as it is. */
function messageResponse(text: string): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text as unknown as Record<string, unknown> };
}

export function errorResponse(statusCode: number, code: string, message: string): AdaptiveCardInvokeResponse {
  return { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } };
}
