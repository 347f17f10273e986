import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, newUser, type CallOptions } from './helpers';
import { accountD1 } from './db-fixtures';

const LOCAL = 'http://127.0.0.1:8787';

const post = (username: string, what: string, body: Record<string, unknown>, opts: CallOptions = {}) =>
  call('POST', `/${username}/account/${what}`, { ...opts, headers: { Origin: LOCAL, ...opts.headers }, body });
const requestReset = (username: string, opts: CallOptions = {}) => post(username, 'request-password-reset', { appId: 'reset-app', username }, opts);
const reset = (username: string, resetToken: string, newPassword = 'brand-new-password') =>
  post(username, 'reset-password', { appId: 'reset-app', username, resetToken, newPassword });

/** The reset token of the latest mail in the local outbox to the account's address. */
async function mailedToken(username: string): Promise<string> {
  const mail = await env.DIRECTORY.prepare('SELECT subject, body FROM mail_outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1')
    .bind(`${username}@example.org`)
    .first<{ subject: string; body: string }>();
  expect(mail?.subject).toBe('Pryv Edge (local): password reset');
  const match = /reset token, valid for one hour: ([a-z0-9]+)/.exec(mail!.body);
  expect(match).not.toBeNull();
  return match![1];
}

describe('password reset', () => {
  it('request-password-reset mails a token to the account address (local outbox), stored only as a hash', async () => {
    const { username } = await newUser('reset');
    const res = await requestReset(username);
    expect(res.status).toBe(200);
    const token = await mailedToken(username);
    const stored = await (await accountD1(username)).prepare('SELECT token_hash, expires FROM password_resets WHERE token_hash = ? OR token_hash LIKE ?').bind(token, `%${token}%`).all();
    expect(stored.results).toHaveLength(0);
    const rows = await (await accountD1(username)).prepare('SELECT r.expires FROM password_resets r JOIN users u ON u.id = r.user_id WHERE u.username = ?').bind(username).all<{ expires: number }>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0].expires - Date.now() / 1000).toBeGreaterThan(3590);
    expect(rows.results[0].expires - Date.now() / 1000).toBeLessThanOrEqual(3600);
  });

  it('reset-password sets the new password, ends every session, and spends the token', async () => {
    const { username, token: session, password } = await newUser('reset');
    await requestReset(username);
    const resetToken = await mailedToken(username);
    expect((await reset(username, resetToken)).status).toBe(200);
    expect((await call('GET', `/${username}/access-info`, { token: session })).status).toBe(403);
    const login = (pw: string) => call('POST', `/${username}/auth/login`, { headers: { Origin: LOCAL }, body: { username, password: pw, appId: 'reset-app' } });
    expect((await login(password)).status).toBe(401);
    expect((await login('brand-new-password')).status).toBe(200);
    const again = await reset(username, resetToken, 'another-password');
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ id: 'invalid-operation', data: { id: 'unknown-or-expired-reset-token' } });
  });

  it('refuses an unknown token, an expired one, and another account\'s', async () => {
    const { username } = await newUser('reset');
    const other = await newUser('reset');
    expect((await reset(username, 'bogus-reset-token')).status).toBe(400);
    await requestReset(other.username);
    expect((await reset(username, await mailedToken(other.username))).status).toBe(400);
    await requestReset(username);
    const token = await mailedToken(username);
    await (await accountD1(username)).prepare('UPDATE password_resets SET expires = ? WHERE user_id = (SELECT id FROM users WHERE username = ?)').bind(Date.now() / 1000 - 1, username).run();
    expect((await reset(username, token)).status).toBe(400);
  });

  it('of two racing resets with one token, exactly one succeeds', async () => {
    const { username } = await newUser('reset');
    await requestReset(username);
    const token = await mailedToken(username);
    const replies = await Promise.all([reset(username, token, 'first-password'), reset(username, token, 'second-password')]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it('checks the trusted app and the params', async () => {
    const { username } = await newUser('reset');
    const untrusted = await requestReset(username, { headers: { Origin: 'https://evil.example' } });
    expect(untrusted.status).toBe(401);
    expect(untrusted.body.error.id).toBe('invalid-credentials');
    expect((await post(username, 'request-password-reset', {})).status).toBe(400);
    expect((await post(username, 'reset-password', { appId: 'reset-app', resetToken: 'x', newPassword: '123' })).status).toBe(400);
    expect((await call('POST', '/nobody-reset-x/account/request-password-reset', { body: { appId: 'reset-app' } })).status).toBe(404);
  });

  it('limits reset mails to 5 per account and hour', async () => {
    const { username } = await newUser('reset');
    for (let i = 0; i < 5; i++) expect((await requestReset(username)).status).toBe(200);
    const refused = await requestReset(username);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).not.toBeNull();
  });

  it('with a MAILER (send_email) binding, the mail goes through it and not to the local outbox', async () => {
    const { username } = await newUser('reset');
    const res = await requestReset(username, { vars: { MAILER: env.TEST_MAILER, MAIL_FROM: 'reset@example.org' } });
    expect(res.status).toBe(200);
    const outbox = await env.DIRECTORY.prepare('SELECT COUNT(*) AS n FROM mail_outbox WHERE recipient = ?').bind(`${username}@example.org`).first<{ n: number }>();
    expect(outbox!.n).toBe(0);
    const rows = await (await accountD1(username)).prepare('SELECT COUNT(*) AS n FROM password_resets WHERE user_id = (SELECT id FROM users WHERE username = ?)').bind(username).first<{ n: number }>();
    expect(rows!.n).toBe(1);
  });

  it('without a mail sender (no MAILER binding, MAIL_OUTBOX off) password reset is unavailable', async () => {
    const { username } = await newUser('reset');
    const res = await requestReset(username, { vars: { MAIL_OUTBOX: 'off' } });
    expect(res.status).toBe(451);
    expect(res.body.error.id).toBe('unavailable-method');
  });
});
