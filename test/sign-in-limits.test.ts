import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../src/index';
import { describe, expect, it } from 'vitest';
import { totpAt, TOTP_STEP_SECONDS } from '../src/auth/totp';
import { call, newUser, type CallOptions } from './helpers';
import { accountD1, anyShard } from './db-fixtures';

const LOCAL = 'http://127.0.0.1:8787';
let ipCounter = 0;
/** A client address of its own, so each test starts with fresh per-IP counters. */
const freshIp = () => `203.0.113.${++ipCounter}`;

const login = (username: string, password: string, opts: CallOptions = {}) =>
  call('POST', `/${username}/auth/login`, { ...opts, headers: { Origin: LOCAL, ...opts.headers }, body: { username, password, appId: 'limits-app' } });

/** Moves every counter of `key` back by `seconds`: the same as that much time passing. */
async function age(keyPrefix: string, seconds: number) {
  await env.DIRECTORY.prepare('UPDATE attempt_counters SET window_start = window_start - ? WHERE key LIKE ?').bind(seconds, `${keyPrefix}%`).run();
}
const userId = async (username: string) => (await (await accountD1(username)).prepare('SELECT id FROM users WHERE username = ?').bind(username).first<{ id: string }>())!.id;

describe('failed sign-in limits', () => {
  it('locks an account after SIGN_IN_FAILURES_PER_ACCOUNT failures: 429 with Retry-After, even for the right password', async () => {
    const { username, password } = await newUser('limit');
    const vars = { SIGN_IN_FAILURES_PER_ACCOUNT: '3' };
    for (let i = 0; i < 3; i++) expect((await login(username, 'wrong-password', { vars })).status).toBe(401);
    const locked = await login(username, password, { vars });
    expect(locked.status).toBe(429);
    expect(locked.body.error.id).toBe('too-many-attempts');
    const retryAfter = Number(locked.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
  });

  it('a locked account unlocks by time, when its window ends', async () => {
    const { username, password } = await newUser('limit');
    const vars = { SIGN_IN_FAILURES_PER_ACCOUNT: '2' };
    for (let i = 0; i < 2; i++) await login(username, 'wrong-password', { vars });
    expect((await login(username, password, { vars })).status).toBe(429);
    await age(`sign-in:account:${await userId(username)}`, 900);
    expect((await login(username, password, { vars })).status).toBe(200);
  });

  it('a successful sign-in clears the account\'s failures', async () => {
    const { username, password } = await newUser('limit');
    const vars = { SIGN_IN_FAILURES_PER_ACCOUNT: '3' };
    for (let i = 0; i < 2; i++) await login(username, 'wrong-password', { vars });
    expect((await login(username, password, { vars })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await login(username, 'wrong-password', { vars })).status).toBe(401);
  });

  it('limits failures per client IP across accounts; another IP is unaffected', async () => {
    const vars = { SIGN_IN_FAILURES_PER_IP: '3' };
    const ip = freshIp();
    const headers = { 'CF-Connecting-IP': ip };
    for (let i = 0; i < 3; i++) {
      const { username } = await newUser('limit');
      expect((await login(username, 'wrong-password', { vars, headers })).status).toBe(401);
    }
    const victim = await newUser('limit');
    expect((await login(victim.username, victim.password, { vars, headers })).status).toBe(429);
    expect((await login(victim.username, victim.password, { vars, headers: { 'CF-Connecting-IP': freshIp() } })).status).toBe(200);
  });

  it('successful sign-ins from an address do not count against it', async () => {
    const vars = { SIGN_IN_FAILURES_PER_IP: '2' };
    const headers = { 'CF-Connecting-IP': freshIp() };
    const { username, password } = await newUser('limit');
    for (let i = 0; i < 5; i++) expect((await login(username, password, { vars, headers })).status).toBe(200);
  });

  it('racing wrong passwords cannot overshoot the limit: each attempt is counted before the password is checked', async () => {
    const { username } = await newUser('limit');
    const vars = { SIGN_IN_FAILURES_PER_ACCOUNT: '3' };
    const replies = await Promise.all(Array.from({ length: 8 }, () => login(username, 'wrong-password', { vars })));
    expect(replies.filter((r) => r.status === 401)).toHaveLength(3);
    expect(replies.filter((r) => r.status === 429)).toHaveLength(5);
  });

  it('the SIGN_IN_LIMITER binding turns away a flood of sign-ins from one IP (30 a minute), successful ones included', async () => {
    const { username, password } = await newUser('limit');
    const headers = { 'CF-Connecting-IP': freshIp() };
    const LIMIT = 30;
    // The binding counts in fixed one-minute windows: 2 × LIMIT + 1 sign-ins overflow one window even if they straddle two.
    const statuses: number[] = [];
    for (let i = 0; i <= 2 * LIMIT && !statuses.includes(429); i++) statuses.push((await login(username, password, { headers })).status);
    const refused = statuses.indexOf(429);
    expect(refused).toBeGreaterThanOrEqual(LIMIT);
    expect(statuses.slice(0, refused).every((s) => s === 200)).toBe(true);
  });

  it('failed second-factor codes count as failed sign-ins', async () => {
    const user = await newUser('limit');
    const activated = await call('POST', `/${user.username}/mfa/activate`, { token: user.token, body: {} });
    const { secret, mfaToken } = activated.body;
    await call('POST', `/${user.username}/mfa/confirm`, { token: mfaToken, body: { code: await totpAt(secret, Date.now() / 1000) } });
    const vars = { SIGN_IN_FAILURES_PER_ACCOUNT: '4' };
    const step = await login(user.username, user.password, { vars });
    expect(step.body.mfaToken).toBeDefined();
    const wrong = (await totpAt(secret, Date.now() / 1000 + TOTP_STEP_SECONDS)) === '000000' ? '111111' : '000000';
    const verify = (code: string) => call('POST', `/${user.username}/mfa/verify`, { token: step.body.mfaToken, body: { code }, vars });
    // The password step counts until the code is verified: 1 + 3 wrong codes reach the limit of 4.
    for (let i = 0; i < 3; i++) expect((await verify(wrong)).status).toBe(400);
    const refused = await verify(await totpAt(secret, Date.now() / 1000 + TOTP_STEP_SECONDS));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).not.toBeNull();
  });
});

describe('registration limits', () => {
  it('limits registrations per client IP: 429 with Retry-After past REGISTRATIONS_PER_IP; another IP is unaffected', async () => {
    const vars = { REGISTRATIONS_PER_IP: '2' };
    const ip = freshIp();
    const register = (name: string, address: string) =>
      call('POST', '/reg/users', { vars, headers: { 'CF-Connecting-IP': address }, body: { appId: 'limits-app', username: name, password: 'secret-password', email: `${name}@example.org` } });
    const base = `reg${Date.now().toString(36)}`;
    expect((await register(`${base}a`, ip)).status).toBe(201);
    expect((await register(`${base}b`, ip)).status).toBe(201);
    const refused = await register(`${base}c`, ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await register(`${base}c`, freshIp())).status).toBe(201);
  });
});

describe('expired rows', () => {
  it('the hourly cron deletes counters whose window ended, and expired two-factor steps and reset tokens; live ones stay', async () => {
    const now = Date.now() / 1000;
    const tag = `purge-${Date.now().toString(36)}`;
    await env.DIRECTORY.prepare('INSERT INTO attempt_counters (key, window_start, count) VALUES (?, ?, 3), (?, ?, 3)').bind(`${tag}:old`, now - 2 * 86_400, `${tag}:live`, now).run();
    // Rows of the shards: the cron purges every shard.
    await anyShard().batch([
      anyShard().prepare("INSERT INTO mfa_sessions (token_hash, user_id, kind, expires) VALUES (?, 'u', 'login', ?), (?, 'u', 'login', ?)").bind(`${tag}:old`, now - 1, `${tag}:live`, now + 600),
      anyShard().prepare("INSERT INTO password_resets (token_hash, user_id, expires) VALUES (?, 'u', ?), (?, 'u', ?)").bind(`${tag}:old`, now - 1, `${tag}:live`, now + 3600),
    ]);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: now * 1000, cron: '0 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    for (const [table, column] of [['attempt_counters', 'key'], ['mfa_sessions', 'token_hash'], ['password_resets', 'token_hash']]) {
      const rows = await (table === 'attempt_counters' ? env.DIRECTORY : anyShard()).prepare(`SELECT ${column} AS k FROM ${table} WHERE ${column} LIKE ?`).bind(`${tag}:%`).all<{ k: string }>();
      expect(rows.results.map((r) => r.k), table).toEqual([`${tag}:live`]);
    }
  });
});
