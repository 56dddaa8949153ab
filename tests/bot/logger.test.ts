import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/bot/logger.js';

describe('redactSecrets', () => {
  it.each([
    ['connect postgres://app:hunter2@db:5432/shop failed', 'connect postgres://app:*****@db:5432/shop failed'],
    ['token xoxb-123-456-abcdef rejected', 'token xoxb-***** rejected'],
    ['app token xapp-1-A111-222-abc', 'app token xapp-*****'],
    ['key sk-proj_abcdefgh12345 invalid', 'key sk-***** invalid'],
    ['host=db password=s3cret user=app', 'host=db password=***** user=app'],
  ])('%j becomes %j', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves text without secrets alone', () => {
    expect(redactSecrets('select * from orders where id = 1')).toBe('select * from orders where id = 1');
  });
});
