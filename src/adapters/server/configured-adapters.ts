/**
 * The adapters a configuration asks for. Each platform's settings decide whether it starts;
 * Discord, Teams and the web chat join this list as they arrive.
 */
import type { Assistant } from '../../bot/agent/assistant.js';
import type { Config } from '../../config.js';
import type { Adapter } from '../adapter.js';
import { SlackAdapter } from '../slack/slack-adapter.js';

export function configuredAdapters(config: Config, assistant: Assistant): Adapter[] {
  const adapters: Adapter[] = [];
  if (config.SLACK_BOT_TOKEN) adapters.push(new SlackAdapter({ assistant, config }));
  return adapters;
}
