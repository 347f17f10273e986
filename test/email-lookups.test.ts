import { describe, expect, it } from 'vitest';
import { call, newUser } from './helpers';

/** GET /reg/{email}/uid and /reg/{email}/check_email: as the reference answers them, rate-limited per client IP. */
let ipCounter = 0;
/** A client address of its own, so each test starts with a fresh rate-limit window. */
const freshIp = () => `198.51.100.${++ipCounter}`;
const lookup = (email: string, what: 'uid' | 'check_email', ip: string, vars?: Record<string, string>) =>
  call('GET', `/reg/${encodeURIComponent(email)}/${what}`, { headers: { 'CF-Connecting-IP': ip }, vars });

describe('e-mail lookups', () => {
  it('uid answers {uid} for a known address and 404 for an unknown one', async () => {
    const { username } = await newUser('mail');
    const ip = freshIp();
    const known = await lookup(`${username}@example.org`, 'uid', ip);
    expect(known.status).toBe(200);
    expect(known.body.uid).toBe(username);
    const unknown = await lookup(`ghost-${username}@example.org`, 'uid', ip);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.id).toBe('unknown-resource');
  });

  it('check_email answers {reserved: false} for a free address and 409 item-already-exists for a taken one', async () => {
    const { username } = await newUser('mail');
    const ip = freshIp();
    const free = await lookup(`free-${username}@example.org`, 'check_email', ip);
    expect(free.status).toBe(200);
    expect(free.body.reserved).toBe(false);
    const taken = await lookup(`${username}@example.org`, 'check_email', ip);
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ id: 'item-already-exists', data: { email: `${username}@example.org` } });
  });

  it('a malformed address is 400', async () => {
    expect((await lookup('not-an-email', 'uid', freshIp())).status).toBe(400);
  });

  it('is rate-limited per client IP: past 20 lookups in a minute, 429 too-many-attempts with Retry-After; another IP is unaffected', async () => {
    const LIMIT = 20;
    const ip = freshIp();
    const replies = [];
    for (let i = 0; i <= LIMIT; i++) replies.push(await lookup(`nobody-${i}@example.org`, i % 2 ? 'uid' : 'check_email', ip));
    expect(replies.slice(0, LIMIT).every((r) => r.status !== 429)).toBe(true);
    const refused = replies[LIMIT];
    expect(refused.status).toBe(429);
    expect(refused.body.error.id).toBe('too-many-attempts');
    expect(refused.headers.get('Retry-After')).toBe('60');
    expect((await lookup('nobody@example.org', 'uid', freshIp())).status).toBe(404);
  });

  it('EMAIL_LOOKUP=off turns both back into 410 removed-method', async () => {
    const ip = freshIp();
    for (const what of ['uid', 'check_email'] as const) {
      const res = await lookup('someone@example.org', what, ip, { EMAIL_LOOKUP: 'off' });
      expect(res.status).toBe(410);
      expect(res.body.error.id).toBe('removed-method');
    }
  });
});
