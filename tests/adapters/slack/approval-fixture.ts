/**
 * pgdba behind the real Bolt receiver with approvals on, against a fake Slack Web API: the set-up
 * the Slack approval and guarded-action tests share (memory store, progress edits unthrottled).
 */
import { listenChatServer, type ChatServer } from '../../../src/adapters/server/http-server.js';
import { SlackAdapter } from '../../../src/adapters/slack/slack-adapter.js';
import { createAssistantApp, type AssistantApp } from '../../../src/bot/agent/create-assistant.js';
import { loadConfig } from '../../../src/config.js';
import { botToken, startFakeSlack, type FakeSlack } from './fake-slack.js';
import { SlackSession } from './slack-session.js';

export interface SlackApprovalFixture {
  slack: FakeSlack;
  app: AssistantApp;
  person: SlackSession;
  close(): Promise<void>;
}

export async function startSlackApprovalFixture(databaseUrl: string, approvers: string, signingSecret: string): Promise<SlackApprovalFixture> {
  const slack = await startFakeSlack();
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.apiUrl,
    PGDBA_APPROVERS: approvers,
    PGDBA_STORE_URL: 'memory:',
  });
  const app = await createAssistantApp(config);
  const server: ChatServer = await listenChatServer({ port: 0, host: '127.0.0.1', adapters: [new SlackAdapter({ assistant: app.assistant, config, progressIntervalMs: 0 })] });
  await server.start();
  const person = new SlackSession(slack, () => `http://127.0.0.1:${server.port}/slack/events`, signingSecret);
  return {
    slack,
    app,
    person,
    async close() {
      await server.stop();
      await app.close();
      await slack.close();
    },
  };
}
