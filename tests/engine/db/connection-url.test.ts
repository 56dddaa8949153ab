import { describe, expect, it } from 'vitest';
import { parseTargetUrl, redactUrl } from '../../../src/engine/db/connection-url.js';

describe('connection URL', () => {
  it('reads host, port, database and user', () => {
    expect(parseTargetUrl('postgres://app:secret@db.internal:6432/shop')).toMatchObject({
      host: 'db.internal',
      port: 6432,
      database: 'shop',
      user: 'app',
      sslMode: 'disable',
      clientConfig: { password: 'secret', ssl: false },
    });
  });

  it('sslmode=require encrypts without verifying the certificate, as libpq does', () => {
    expect(parseTargetUrl('postgres://a@h/d?sslmode=require').clientConfig.ssl).toEqual({ rejectUnauthorized: false });
  });

  it('sslmode=verify-full verifies the chain and the host name', () => {
    expect(parseTargetUrl('postgres://a@db.example.com/d?sslmode=verify-full').clientConfig.ssl).toMatchObject({
      rejectUnauthorized: true,
      servername: 'db.example.com',
    });
  });

  it('sslmode=verify-ca verifies the chain but not the host name', () => {
    const ssl = parseTargetUrl('postgres://a@h/d?sslmode=verify-ca').clientConfig.ssl as { rejectUnauthorized: boolean; checkServerIdentity: () => unknown };
    expect(ssl.rejectUnauthorized).toBe(true);
    expect(ssl.checkServerIdentity()).toBeUndefined();
  });

  it('rejects an unknown sslmode with the valid ones', () => {
    expect(() => parseTargetUrl('postgres://a@h/d?sslmode=yes')).toThrow('sslmode=yes is not a valid sslmode; use one of disable, allow, prefer, require, verify-ca, verify-full');
  });

  it('decodes percent-encoded user, password and database', () => {
    expect(parseTargetUrl('postgres://us%40er:p%2Fw@h/my%20db').clientConfig).toMatchObject({ user: 'us@er', password: 'p/w', database: 'my db' });
  });

  it('redacts the password and secret parameters for logs and chat', () => {
    const redacted = redactUrl('postgres://app:hunter2@db/shop?sslpassword=abc&sslmode=require');
    expect(redacted).not.toContain('hunter2');
    expect(redacted).not.toContain('abc');
    expect(redacted).toContain('sslmode=require');
  });
});
