/**
 * One Teams turn: a message (personal, group chat or channel @mention, with the mention stripped),
 * a log file sent with it, or an Adaptive Card button (Action.Submit) whose answer replaces the
 * card it was clicked on. Platform-neutral work is delegated to the bot; this file only
 * translates.
 */
import { CardFactory, MessageFactory, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { Assistant } from '../../bot/agent/assistant.js';
import type { BotAnswer } from '../../bot/bot.js';
import type { Asker } from '../../tools/tool.js';
import { logger } from '../../bot/logger.js';
import { ReplyBuilder, type Reply } from '../../tools/reply.js';
import { renderAdaptiveCards, submittedAction } from './adaptive-card.js';
import { downloadTeamsFile, filesIn, type TeamsFile } from './teams-attachments.js';

/** Who asked or clicked, as PGDBA_APPROVERS names them: "teams:<AAD object id>". */
export interface TeamsIdentity {
  platform: 'teams';
  /** Azure AD object id of the user (absent in the emulator). */
  aadObjectId?: string;
  /** Bot Framework channel account id ("29:..."). */
  userId: string;
  userName?: string;
  tenantId?: string;
}

export interface TeamsActionClick {
  actionId: string;
  payload: string;
  user: TeamsIdentity;
}

/** Answers a card button with the reply that replaces the card. */
export type TeamsActionHandler = (click: TeamsActionClick) => Promise<Reply>;

export interface TeamsTurnOptions {
  assistant: Assistant;
  uploadMaxBytes: number;
  onAction?: TeamsActionHandler;
  /**
   * Runs `logic` in a new turn of the conversation (CloudAdapter.continueConversationAsync), so
   * the answer is sent after the HTTP request has been acknowledged.
   */
  continueConversation: (reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>) => Promise<void>;
}

/**
 * Teams expects the HTTP request of an activity to be answered within 15 seconds and retries
 * otherwise, while a log analysis or health report can take longer: the turn acknowledges at
 * once (typing indicator) and the answer follows as a proactive message in the same
 * conversation (thread).
 */
export class TeamsTurnHandler {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: TeamsTurnOptions) {}

  readonly onTurn = async (context: TurnContext): Promise<void> => {
    const activity = context.activity;
    if (activity.type !== 'message') return;
    const reference = TurnContext.getConversationReference(activity);
    const user = identityOf(activity);
    const action = submittedAction(activity.value);
    if (action) {
      this.track(this.answerClick(activity, reference, action, user));
      return;
    }
    const files = filesIn(activity.attachments, activity.serviceUrl);
    const question = questionText(activity);
    if (!question && files.length === 0) return;
    // The bot token is only available during the turn: take it now for the downloads.
    const token = files.some((file) => file.needsBotToken) ? await botToken(context) : undefined;
    this.track(
      (async () => {
        // The typing indicator travels while the work runs, and always before the answer.
        const typing = this.options.continueConversation(reference, (later) => later.sendActivity({ type: 'typing' }).then(() => undefined)).catch(() => undefined);
        const answer =
          files.length > 0
            ? await this.analyzeLogs(files, token, user)
            : await this.options.assistant.ask({ question, conversationId: `teams:${activity.conversation.id}`, user: teamsAsker(user) });
        await typing;
        await this.options.continueConversation(reference, (later) => sendReply(later, answer.reply));
      })(),
    );
  };

  /** Resolves when every answer under way has been sent (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => logger.error('teams: an answer could not be sent', error)).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private async answerClick(activity: Activity, reference: Partial<ConversationReference>, action: { id: string; payload: string }, user: TeamsIdentity): Promise<void> {
    const click = { actionId: action.id, payload: action.payload, user };
    const reply = this.options.onAction ? await this.options.onAction(click) : (await this.options.assistant.handleAction(action, { user: teamsAsker(user) })).reply;
    const { card, imageCards } = await renderAdaptiveCards(reply);
    const cardId = activity.replyToId;
    await this.options.continueConversation(reference, async (context) => {
      if (cardId) {
        await context.updateActivity({ type: 'message', id: cardId, conversation: activity.conversation, attachments: [CardFactory.adaptiveCard(card)] });
      } else {
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
      }
      for (const imageCard of imageCards) await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(imageCard)));
    });
  }

  private async analyzeLogs(files: TeamsFile[], token: string | undefined, user: TeamsIdentity): Promise<BotAnswer> {
    const uploads: { name: string; contentBase64: string }[] = [];
    for (const file of files) {
      try {
        const content = await downloadTeamsFile(file, this.options.uploadMaxBytes, token);
        uploads.push({ name: file.name, contentBase64: content.toString('base64') });
      } catch (error) {
        const message = `I could not download ${file.name}: ${error instanceof Error ? error.message : String(error)}. Send it again, or analyse it with \`pgdba logs analyze\`.`;
        return { ok: false, reply: new ReplyBuilder().text(message).build(), error: { kind: 'bad-input', message } };
      }
    }
    return this.options.assistant.runTool('analyze_log', { uploads }, { user: teamsAsker(user) });
  }
}

function identityOf(activity: Activity): TeamsIdentity {
  return {
    platform: 'teams',
    userId: activity.from.id,
    ...(activity.from.aadObjectId ? { aadObjectId: activity.from.aadObjectId } : {}),
    ...(activity.from.name ? { userName: activity.from.name } : {}),
    ...(activity.conversation.tenantId ? { tenantId: activity.conversation.tenantId } : {}),
  };
}

/** The identity as tools and approvals know it: the AAD object id when Teams gives one. */
export function teamsAsker(identity: TeamsIdentity): Asker {
  return { platform: 'teams', id: identity.aadObjectId ?? identity.userId, ...(identity.userName ? { name: identity.userName } : {}) };
}

export async function sendReply(context: TurnContext, reply: Reply): Promise<void> {
  const { card, imageCards } = await renderAdaptiveCards(reply);
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  for (const imageCard of imageCards) await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(imageCard)));
}

/** The message text without the bot's @mention (channels and group chats) or leftover markup. */
export function questionText(activity: Partial<Activity>): string {
  const withoutMention = activity.recipient?.id ? TurnContext.removeMentionText(activity, activity.recipient.id) : (activity.text ?? '');
  return (withoutMention ?? '')
    .replace(/<at>[^<]*<\/at>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .trim();
}

/** The bot's own Bot Framework token for this turn (undefined in emulator mode). */
async function botToken(context: TurnContext): Promise<string | undefined> {
  const client = context.turnState.get(context.adapter.ConnectorClientKey) as { credentials?: { appId?: string; getToken?: () => Promise<string> } } | undefined;
  const credentials = client?.credentials;
  if (!credentials?.appId || !credentials.getToken) return undefined;
  try {
    return await credentials.getToken();
  } catch (error) {
    logger.error('teams: could not get the bot token to download an attachment', error);
    return undefined;
  }
}
