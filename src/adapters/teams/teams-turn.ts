/**
 * A Teams message: a question (personal, group chat or channel @mention, with the mention
 * stripped) or a log file sent with it. Platform-neutral work is delegated to the bot; this file
 * only translates. Card button clicks are handled in card-clicks.ts.
 */
import { CardFactory, MessageFactory, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { Assistant } from '../../bot/agent/assistant.js';
import type { BotAnswer } from '../../bot/bot.js';
import { logger } from '../../bot/logger.js';
import type { Asker } from '../../tools/tool.js';
import { ReplyBuilder, type Reply } from '../../tools/reply.js';
import type { TeamsRendering } from './adaptive-card.js';
import { settlesWithin, type BackgroundWork } from './background-work.js';
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

/** Runs `logic` in a new turn of the conversation (CloudAdapter.continueConversationAsync). */
export type ContinueConversation = (reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>) => Promise<void>;

export interface TeamsTurnOptions {
  assistant: Assistant;
  uploadMaxBytes: number;
  continueConversation: ContinueConversation;
  /** Renders a reply as cards (with the refresh of approval cards). */
  render: (reply: Reply) => Promise<TeamsRendering>;
  work: BackgroundWork;
  /**
   * The typing indicator is sent only when the answer is not ready after this long: a quick
   * answer needs none, and skipping it spares a connector request per message.
   */
  typingDelayMs: number;
}

/**
 * Teams expects the HTTP request of an activity to be answered within 15 seconds and retries
 * otherwise, while a log analysis or health report can take longer: the turn acknowledges at
 * once and the answer follows as a proactive message in the same conversation (thread), with a
 * typing indicator first when the answer takes a while.
 */
export class TeamsTurnHandler {
  constructor(private readonly options: TeamsTurnOptions) {}

  readonly onMessage = async (context: TurnContext): Promise<void> => {
    const activity = context.activity;
    const reference = TurnContext.getConversationReference(activity);
    const user = identityOf(activity);
    const files = filesIn(activity.attachments, activity.serviceUrl);
    const question = questionText(activity);
    if (!question && files.length === 0) return;
    // The bot token is only available during the turn: take it now for the downloads.
    const token = files.some((file) => file.needsBotToken) ? await botToken(context) : undefined;
    const answer =
      files.length > 0
        ? this.analyzeLogs(files, token, user)
        : this.options.assistant.ask({ question, conversationId: `teams:${activity.conversation.id}`, user: teamsAsker(user) });
    this.options.work.track(this.deliver(reference, answer), 'an answer');
  };

  private async deliver(reference: Partial<ConversationReference>, answer: Promise<BotAnswer>): Promise<void> {
    const quick = this.options.typingDelayMs > 0 && (await settlesWithin(answer, this.options.typingDelayMs));
    // The typing indicator travels while the work runs, and always before the answer.
    const typing = quick ? undefined : this.options.continueConversation(reference, (later) => later.sendActivity({ type: 'typing' }).then(() => undefined)).catch(() => undefined);
    const { reply } = await answer;
    const rendering = await this.options.render(reply);
    await typing;
    await this.options.continueConversation(reference, (later) => sendCards(later, rendering));
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

export function identityOf(activity: Activity): TeamsIdentity {
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

/** Posts the answer card, then any chart that did not fit in it. */
export async function sendCards(context: TurnContext, rendering: TeamsRendering): Promise<void> {
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(rendering.card)));
  for (const imageCard of rendering.imageCards) await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(imageCard)));
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
