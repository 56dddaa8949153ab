/**
 * A person in a Slack channel, for end-to-end tests: mentions the bot and clicks buttons through
 * correctly signed requests to the real Bolt receiver, and reads what the bot posted or edited
 * from the local fake Web API.
 */
import { expect } from 'vitest';
import { blocksText, botUserId, eventEnvelope, signedHeaders, type FakeSlack, type RecordedCall } from './fake-slack.js';

export interface SlackButton {
  action_id: string;
  value: string;
  text: { text: string };
}

export function buttonsOf(blocks: unknown): SlackButton[] {
  return ((blocks ?? []) as { type: string; elements?: SlackButton[] }[]).flatMap((block) => (block.type === 'actions' ? block.elements ?? [] : []));
}

/** Progress edits of a clicked message start with the hourglass; the result does not. */
export const isProgress = (call: RecordedCall): boolean => String(call.args.text).startsWith('⏳');

export class SlackSession {
  private mentions = 0;

  constructor(
    private readonly slack: FakeSlack,
    private readonly eventsUrl: () => string,
    private readonly signingSecret: string,
    readonly channel = 'CDBA',
  ) {}

  async post(body: string, contentType = 'application/json'): Promise<Response> {
    return fetch(this.eventsUrl(), { method: 'POST', headers: { 'content-type': contentType, ...signedHeaders(this.signingSecret, body) }, body });
  }

  /** Mentions the bot as `user`; resolves with the first message the bot posted in that thread. */
  async mention(user: string, text: string): Promise<RecordedCall> {
    this.mentions += 1;
    const ts = `17000${String(this.mentions).padStart(3, '0')}00.000100`;
    await this.post(JSON.stringify(eventEnvelope({ type: 'app_mention', user, channel: this.channel, ts, event_ts: ts, text: `<@${botUserId}> ${text}` })));
    await expect.poll(() => this.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === ts).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    return this.slack.callsTo('chat.postMessage').find((call) => call.args.thread_ts === ts)!;
  }

  updatesOf(ts: string): RecordedCall[] {
    return this.slack.callsTo('chat.update').filter((call) => call.args.ts === ts);
  }

  /**
   * Clicks a button on message `ts` as `user`; `whileRunning` may act on the progress edits as
   * they arrive. Resolves with the progress edits and the final edit of the message.
   */
  async click(user: string, ts: string, button: SlackButton, whileRunning?: (edits: () => RecordedCall[]) => Promise<void>): Promise<{ progress: RecordedCall[]; final: RecordedCall; text: string }> {
    const before = this.updatesOf(ts).length;
    const edits = () => this.updatesOf(ts).slice(before);
    const payload = {
      type: 'block_actions', user: { id: user, name: user.toLowerCase() }, api_app_id: 'A1', token: 'legacy', trigger_id: 't',
      container: { type: 'message', message_ts: ts, channel_id: this.channel }, channel: { id: this.channel }, team: { id: 'T1' },
      message: { type: 'message', ts, text: 'card', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'the message as it was' } }] },
      actions: [{ type: 'button', action_id: button.action_id, block_id: 'b', text: { type: 'plain_text', text: button.text.text }, value: button.value, action_ts: '1' }],
    };
    const response = await this.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    await whileRunning?.(edits);
    await expect.poll(() => edits().some((call) => !isProgress(call)), { timeout: 30_000 }).toBe(true);
    const index = edits().findIndex((call) => !isProgress(call));
    const final = edits()[index]!;
    return { progress: edits().slice(0, index), final, text: blocksText(final.args.blocks) };
  }
}
