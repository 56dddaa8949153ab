import { CloudAdapter, ConfigurationServiceClientCredentialFactory, TurnContext, type ConversationReference } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReusedClientsAuthentication } from '../../../src/adapters/teams/reused-clients.js';
import { FakeConnector } from './fake-connector.js';

describe('connector clients reused across turns (real CloudAdapter, emulator credentials)', () => {
  let connectors: FakeConnector[];

  beforeAll(async () => {
    connectors = [await FakeConnector.start(), await FakeConnector.start()];
  });
  afterAll(async () => {
    for (const connector of connectors) await connector.close();
  });

  it('gives every turn on one service URL the same connector and token client, and each service URL its own', async () => {
    const adapter = new CloudAdapter(new ReusedClientsAuthentication({}, new ConfigurationServiceClientCredentialFactory({})));
    const clients: { connector: unknown; tokens: unknown; serviceUrl: string }[] = [];
    const response = { status() {}, header() {}, send() {}, end() {} };
    let reference: Partial<ConversationReference> | undefined;
    for (const [index, connector] of [connectors[0]!, connectors[0]!, connectors[1]!].entries()) {
      const activity = {
        type: 'message', id: `in-${index}`, channelId: 'msteams', serviceUrl: connector.url, text: 'help',
        from: { id: '29:alice' }, recipient: { id: '28:bot' }, conversation: { id: `a:chat-${index}` },
      };
      await adapter.process({ body: activity, headers: {}, method: 'POST' } as never, response as never, async (context) => {
        clients.push({ connector: context.turnState.get(adapter.ConnectorClientKey), tokens: context.turnState.get(adapter.UserTokenClientKey), serviceUrl: connector.url });
        reference ??= TurnContext.getConversationReference(context.activity);
        await context.sendActivity('reply in the turn');
      });
    }
    await adapter.continueConversationAsync('', reference!, async (context) => {
      clients.push({ connector: context.turnState.get(adapter.ConnectorClientKey), tokens: context.turnState.get(adapter.UserTokenClientKey), serviceUrl: connectors[0]!.url });
      await context.sendActivity('a proactive reply');
    });
    expect(clients[0]!.connector).toBeDefined();
    expect(clients[1]!.connector).toBe(clients[0]!.connector);
    expect(clients[2]!.connector).not.toBe(clients[0]!.connector);
    expect(clients[0]!.tokens).toBe(clients[1]!.tokens);
    // The proactive turn (claims of the bot itself) shares clients with other proactive turns, and still reaches the right connector.
    expect(connectors[0]!.calls.map((call) => call.activity.text)).toEqual(['reply in the turn', 'reply in the turn', 'a proactive reply']);
    expect(connectors[1]!.calls.map((call) => call.activity.text)).toEqual(['reply in the turn']);
  });
});
