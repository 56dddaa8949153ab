/** What may reach the LLM: literals as placeholders, no secrets, no connection strings. */
import Keyv from 'keyv';
import { beforeAll, describe, expect, it } from 'vitest';
import { LiteralVault, loadPrivacyParser, maskForLlm, maskText } from '../../../src/bot/agent/privacy.js';
import { boundByTokens, ConversationStore, type ConversationTurn } from '../../../src/bot/conversations/conversation-store.js';

const masked = { allowSamples: false, secrets: ['hunter2-password'] };
const samples = { allowSamples: true, secrets: ['hunter2-password'] };

beforeAll(async () => {
  await loadPrivacyParser();
});

describe('masking before the LLM', () => {
  it.each([
    ["select * from users where email = 'a@b.c' and age > 30", 'select * from users where email = $1 and age > $2'],
    ["LOG:  duration: 3.1 ms  execute S_1: select 1\nDETAIL:  parameters: $1 = 'alice', $2 = '42'", "LOG:  duration: 3.1 ms  execute S_1: select 1\nDETAIL:  parameters: $1 = ?, $2 = ?"],
    ['Key (email)=(alice@example.com) already exists.', 'Key (email)=(?) already exists.'],
    ["Index Cond: (orders.email = 'alice@example.com'::text)", "Index Cond: (orders.email = '?'::text)"],
    ['connect with postgres://app:hunter2-password@db.internal:5432/shop please', 'connect with <connection string> please'],
    ['token xoxb-1234-5678-abcdefgh and sk-abcdefghijklmnop', 'token xoxb-***** and sk-*****'],
    ['the password is hunter2-password', 'the password is <secret>'],
  ])('%s', (input, expected) => {
    expect(maskText(input, masked)).toBe(expected);
  });

  it('keeps literals when samples are allowed, but never secrets', () => {
    expect(maskText("select * from t where a = 'x'", samples)).toBe("select * from t where a = 'x'");
    expect(maskText('postgres://u:hunter2-password@h/d', samples)).toBe('<connection string>');
  });

  it('masks every string inside tool data and drops binary', () => {
    expect(maskForLlm({ queries: [{ example: "select 1 from t where id = 7", calls: 3 }], png: Buffer.from('x') }, masked)).toEqual({
      queries: [{ example: 'select $1 from t where id = $2', calls: 3 }],
      png: '<1 bytes>',
    });
  });

  it('vaults the literals of a question and restores them in tool arguments and the answer', () => {
    const vault = new LiteralVault(masked);
    expect(vault.maskQuestion("why is select * from t where name = 'Zoë' limit 10 slow")).toBe('why is select * from t where name = <v1> limit <v2> slow');
    expect(vault.unmask({ sql: "select * from t where name = '<v1>' limit <v2>" })).toEqual({ sql: "select * from t where name = 'Zoë' limit 10" });
    expect(vault.maskKnown('Filter: (name = \'Zoë\'::text)')).toBe("Filter: (name = '<v1>'::text)");
  });
});

describe('ConversationStore', () => {
  it('keeps the newest turns within the token budget', () => {
    const turns: ConversationTurn[] = Array.from({ length: 10 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `${i}`.padEnd(40, '.') }));
    expect(boundByTokens(turns, 35).map((turn) => turn.content[0])).toEqual(['7', '8', '9']);
  });

  it('forgets a thread after its time to live', async () => {
    const store = new ConversationStore(new Keyv<ConversationTurn[]>(), { maxTokens: 1000, ttlMs: 50 });
    await store.append('t1', { role: 'user', content: 'hello' });
    expect(await store.history('t1')).toEqual([{ role: 'user', content: 'hello' }]);
    await expect.poll(() => store.history('t1'), { timeout: 2000, interval: 20 }).toEqual([]);
  });
});
