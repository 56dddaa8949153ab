/**
 * The adapters a configuration asks for. Each platform's settings decide whether it starts;
 * the web chat and the Teams emulator are asked for on the command line.
 */
import type { Assistant } from '../../bot/agent/assistant.js';
import type { Config } from '../../config.js';
import type { Adapter } from '../adapter.js';
import { createDiscordAdapter, discordConfigured } from '../discord/discord-adapter.js';
import { SlackAdapter } from '../slack/slack-adapter.js';
import type { ApprovalLookup } from '../teams/approval-cards.js';
import { createTeamsAdapter } from '../teams/teams-adapter.js';
import { createWebChatAdapter } from '../web/web-chat-adapter.js';

export interface AdapterChoices {
  /** Serve the local web chat on `/`. */
  web?: boolean;
  /** Serve Teams without Bot Framework authentication (for the Bot Framework Emulator), loopback only. */
  teamsEmulator?: boolean;
  /** Change requests (ApprovalWorkflow), read by Teams to refresh approval cards. */
  approvals?: ApprovalLookup;
}

export interface ConfiguredAdapters {
  adapters: Adapter[];
  /** True when an adapter is only safe on loopback (web chat without token, Teams emulator). */
  loopbackOnly: boolean;
}

export function configuredAdapters(config: Config, assistant: Assistant, choices: AdapterChoices = {}): ConfiguredAdapters {
  const adapters: Adapter[] = [];
  let loopbackOnly = false;
  if (config.SLACK_BOT_TOKEN) adapters.push(new SlackAdapter({ assistant, config }));
  if (discordConfigured(config)) adapters.push(createDiscordAdapter({ assistant, config }));
  if (config.MICROSOFT_APP_ID || choices.teamsEmulator) {
    const teams = createTeamsAdapter({ assistant, config, ...(choices.approvals ? { approvals: choices.approvals } : {}) });
    loopbackOnly ||= teams.requiresLoopback;
    adapters.push(teams);
  }
  if (choices.web) {
    adapters.push(createWebChatAdapter({ assistant, token: config.PGDBA_WEB_TOKEN, uploadMaxBytes: config.PGDBA_UPLOAD_MAX_BYTES }));
    loopbackOnly ||= !config.PGDBA_WEB_TOKEN;
  }
  return { adapters, loopbackOnly };
}
