/**
 * What pgdba does with each Slack payload: mentions and direct messages are answered in their
 * thread, `/dba` is acknowledged at once and answered after, shared log files are analysed,
 * and button clicks are acknowledged at once and then edit the message they belong to.
 */
import type { App } from '@slack/bolt';
import type { Assistant } from '../../bot/agent/assistant.js';
import { parseApprovalPayload } from '../../bot/approvals/action-payload.js';
import { logger } from '../../bot/logger.js';
import type { Asker } from '../../tools/tool.js';
import { ReplyBuilder, type Progress, type Reply } from '../../tools/reply.js';
import { actionIdPrefix, renderBlockKit, type KnownBlock } from './block-kit.js';
import { isLogFile, type LogUploadHandler, type SlackFile } from './log-upload.js';
import { ClickProgress, describeProgress, ProgressMessage } from './progress-message.js';
import { slackConversationId, type SlackReplier, type SlackThread } from './slack-replier.js';
import type { SlackUserGroups } from './user-groups.js';

type BoltApp = App;

export interface SlackListenerDependencies {
  assistant: Assistant;
  replier: SlackReplier;
  uploads: LogUploadHandler;
  /** Membership of the Slack user groups allowed to approve, looked up on approval clicks. */
  userGroups?: SlackUserGroups;
  /** Milliseconds between progress edits of a clicked message (default 1500: chat.update is Tier 3). */
  clickProgressIntervalMs?: number;
}

export const slashCommand = '/dba';

export function registerSlackListeners(app: BoltApp, deps: SlackListenerDependencies): void {
  app.event('app_mention', async ({ event, client }) => {
    const thread: SlackThread = { channel: event.channel, threadTs: event.thread_ts ?? event.ts };
    const logs = ((event as { files?: SlackFile[] }).files ?? []).filter(isLogFile);
    if (logs.length > 0) {
      for (const file of logs) if (deps.uploads.claim(file.id)) await deps.uploads.handle(await completeFile(client, file), thread);
      return;
    }
    await answer(deps, thread, event.text ?? '', conversationId(event.channel, thread.threadTs), slackUser(event.user));
  });

  app.message(async ({ message, client }) => {
    if (message.channel_type !== 'im') return;
    if ('bot_id' in message && message.bot_id) return;
    const thread: SlackThread = { channel: message.channel, threadTs: ('thread_ts' in message ? message.thread_ts : undefined) ?? message.ts };
    if (message.subtype === 'file_share') {
      for (const file of (message.files ?? []) as SlackFile[]) {
        if (isLogFile(file) && deps.uploads.claim(file.id)) await deps.uploads.handle(await completeFile(client, file), thread);
      }
      return;
    }
    if (message.subtype !== undefined) return;
    await answer(deps, thread, message.text ?? '', conversationId(message.channel, thread.threadTs), slackUser('user' in message ? message.user : undefined));
  });

  app.event('file_shared', async ({ event, client, context }) => {
    // Our own chart uploads raise file_shared too.
    if (event.user_id === context.botUserId) return;
    if (!deps.uploads.claim(event.file_id)) return;
    const info = await client.files.info({ file: event.file_id });
    const file = info.file as (SlackFile & { shares?: Record<string, Record<string, { ts: string }[]>> }) | undefined;
    if (!file || !isLogFile(file)) return;
    const share = file.shares?.public?.[event.channel_id]?.[0] ?? file.shares?.private?.[event.channel_id]?.[0];
    await deps.uploads.handle(file, { channel: event.channel_id, threadTs: share?.ts });
  });

  app.command(slashCommand, async ({ command, ack, respond }) => {
    await ack();
    const result = await deps.assistant
      .ask({ question: command.text, conversationId: `slack:${command.channel_id}:slash:${command.user_id}` })
      .catch((error: unknown) => failureAnswer(error, `${slashCommand} ${command.text}`));
    const rendered = renderBlockKit(result.reply);
    for (const message of rendered.messages) {
      try {
        await respond({ response_type: 'in_channel', text: message.text, blocks: message.blocks });
      } catch (error) {
        logger.error(`slack: could not respond to ${slashCommand} in ${command.channel_id}`, error);
      }
    }
    await deps.replier.uploadImages({ channel: command.channel_id }, rendered.images, `${slashCommand} images`);
  });

  app.action(new RegExp(`^${actionIdPrefix}`), async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action)) return;
    const channel = body.channel?.id ?? body.container?.channel_id;
    const message = body.message as { ts: string; thread_ts?: string; blocks?: KnownBlock[] } | undefined;
    if (!channel || !message) return;
    const thread: SlackThread = { channel, threadTs: message.thread_ts ?? message.ts };
    const payload = action.value ?? '';
    const approval = parseApprovalPayload(payload) !== undefined;
    // An approval click answers with the updated card, which replaces the old one; other buttons
    // keep the answer they were under and add their result below it.
    const kept = approval ? [] : (message.blocks ?? []).filter((block) => block.type !== 'actions');
    const id = action.action_id.slice(actionIdPrefix.length).replace(/:\d+$/, '');
    const label = action.text.text;
    const user = await clicker(deps, body.user.id, body.user.name, approval);
    const progress = new ClickProgress(deps.replier, channel, message.ts, message.blocks ?? [], `<@${body.user.id}> clicked *${label}*`, deps.clickProgressIntervalMs ?? 1500);
    const reply = await clickResult(deps.assistant, id, payload, user, label, progress.report);
    await progress.close();
    await deps.replier.replace(thread, message.ts, reply, `button ${id}`, kept);
  });
}

/**
 * Who clicked, with the approver groups they belong to when the click is an approval (Slack does
 * not send group membership; a failed lookup grants nothing and is passed on to be explained).
 */
async function clicker(deps: SlackListenerDependencies, id: string, name: string | undefined, approval: boolean): Promise<Asker> {
  const user = slackUser(id, name)!;
  if (!approval || !deps.userGroups?.configured) return user;
  const membership = await deps.userGroups.membershipOf(id);
  if ('failure' in membership) {
    logger.error(`slack: could not check the user groups of ${id}: ${membership.failure}`);
    return { ...user, groups: [], groupLookupFailure: membership.failure };
  }
  return { ...user, groups: membership.groups };
}

/** The Slack identity of whoever asked or clicked: change requests and approvals are attributed to it. */
function slackUser(id: string | undefined, name?: string): Asker | undefined {
  return id ? { platform: 'slack', id, ...(name ? { name } : {}) } : undefined;
}

async function answer(deps: SlackListenerDependencies, thread: SlackThread, text: string, conversation: string, user: Asker | undefined): Promise<void> {
  const question = text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ').trim();
  const what = `answer to "${question.slice(0, 60)}"`;
  if (!deps.assistant.usesAgent(question)) {
    const result = await deps.assistant.ask({ question, conversationId: conversation, ...(user ? { user } : {}) }).catch((error: unknown) => failureAnswer(error, question));
    await deps.replier.post(thread, result.reply, what);
    return;
  }
  // The model may take seconds: show that pgdba is on it, then replace the note with the answer.
  const progress = new ProgressMessage(deps.replier, thread, what);
  await progress.start('_Looking into it…_');
  const result = await deps.assistant
    .ask({ question, conversationId: conversation, ...(user ? { user } : {}), progress: (p) => progress.report(describeProgress('Working', p)) })
    .catch((error: unknown) => failureAnswer(error, question));
  await progress.settle();
  if (progress.messageTs) await deps.replier.replace(thread, progress.messageTs, result.reply, what);
  else await deps.replier.post(thread, result.reply, what);
}

function conversationId(channel: string, threadTs: string | undefined): string {
  return slackConversationId({ channel, threadTs });
}

/** A file from a message event may lack its download link: ask Slack for the full object. */
async function completeFile(client: BoltApp['client'], file: SlackFile): Promise<SlackFile> {
  if (file.url_private_download && file.size !== undefined) return file;
  const info = await client.files.info({ file: file.id });
  return (info.file as SlackFile | undefined) ?? file;
}

/**
 * A button's effect. "dismiss"/"postpone" without a tool only acknowledge; any other id names a
 * tool run with the payload as input (Bot.handleAction). Whatever happens, the clicked message
 * says who clicked and what came of it.
 */
async function clickResult(assistant: Assistant, id: string, payload: string, user: Asker, label: string, progress: (progress: Progress) => void): Promise<Reply> {
  const who = `<@${user.id}>`;
  if (id === 'dismiss' || id === 'postpone') {
    return new ReplyBuilder().context(`${id === 'dismiss' ? 'Dismissed' : 'Postponed'} by ${who}.`).build();
  }
  const result = await assistant.handleAction({ id, payload }, { user, progress }).catch((error: unknown) => failureAnswer(error, label));
  return { blocks: [{ type: 'context', text: `${who} clicked *${label}*:` }, ...result.reply.blocks] };
}

function failureAnswer(error: unknown, what: string): { reply: Reply } {
  logger.error(`slack: answering "${what.slice(0, 60)}" failed`, error);
  return { reply: new ReplyBuilder().text('Something went wrong while answering; the error was logged. Please try again.').build() };
}
