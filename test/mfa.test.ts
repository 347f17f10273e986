import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { totpAt, TOTP_STEP_SECONDS } from '../src/auth/totp';
import { call, newUser, type CallOptions } from './helpers';
import { accountD1 } from './db-fixtures';

const LOCAL = 'http://127.0.0.1:8787';
const nowSeconds = () => Date.now() / 1000;

const login = (username: string, password: string, opts: CallOptions = {}) =>
  call('POST', `/${username}/auth/login`, { headers: { Origin: LOCAL }, ...opts, body: { username, password, appId: 'mfa-app' } });
const mfa = (username: string, what: string, token: string | undefined, body: unknown = {}, opts: CallOptions = {}) =>
  call('POST', `/${username}/mfa/${what}`, { headers: { Origin: LOCAL }, ...opts, token, body });

/** A fresh account enrolled in two-factor sign-in: its secret and recovery codes. */
async function enrolledUser() {
  const user = await newUser('mfa');
  const activated = await mfa(user.username, 'activate', user.token);
  expect(activated.status).toBe(200);
  const { secret, mfaToken } = activated.body;
  const confirmCode = await totpAt(secret, nowSeconds());
  const confirmed = await mfa(user.username, 'confirm', mfaToken, { code: confirmCode });
  expect(confirmed.status).toBe(200);
  return { ...user, secret: secret as string, confirmCode, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

/** A code of the next time step: accepted (drift) and newer than the one the enrolment consumed. */
const nextCode = (secret: string) => totpAt(secret, nowSeconds() + TOTP_STEP_SECONDS);

describe('two-factor sign-in (TOTP)', () => {
  it('service info announces it: features.mfa', async () => {
    expect((await call('GET', '/reg/service/info')).body.features.mfa).toBe(true);
  });

  it('mfa.activate answers an mfaToken, the otpauth URI and an SVG QR code; the enrolment is not active before mfa.confirm', async () => {
    const { username, token, password } = await newUser('mfa');
    const res = await mfa(username, 'activate', token);
    expect(res.status).toBe(200);
    expect(res.body.method).toBe('totp');
    expect(res.body.mfaToken).toMatch(/^[a-z0-9]{24}$/);
    expect(res.body.otpauthUri).toBe(`otpauth://totp/Pryv%20Edge%20(local):${username}?secret=${res.body.secret}&issuer=Pryv+Edge+%28local%29&algorithm=SHA1&digits=6&period=30`);
    expect(res.body.qrCode).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>$/);
    // Not confirmed: login still answers a session.
    expect((await login(username, password)).body.token).toBeDefined();
  });

  it('mfa.activate needs a personal token', async () => {
    const { username, token } = await newUser('mfa');
    const app = await call('POST', `/${username}/accesses`, { token, body: { name: 'an app', permissions: [{ streamId: '*', level: 'read' }] } });
    expect((await mfa(username, 'activate', app.body.access.token)).status).toBe(403);
    expect((await mfa(username, 'activate', undefined)).status).toBe(401);
  });

  it('mfa.confirm refuses a wrong code, then answers 10 distinct recovery codes, stored hashed; the secret is stored sealed', async () => {
    const { username, token } = await newUser('mfa');
    const { body } = await mfa(username, 'activate', token);
    const wrong = await mfa(username, 'confirm', body.mfaToken, { code: '000000' === (await totpAt(body.secret, nowSeconds())) ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ id: 'invalid-parameters-format', data: { id: 'invalid-mfa-code' } });
    const res = await mfa(username, 'confirm', body.mfaToken, { code: await totpAt(body.secret, nowSeconds()) });
    expect(res.status).toBe(200);
    const codes: string[] = res.body.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const user = await (await accountD1(username)).prepare('SELECT id FROM users WHERE username = ?').bind(username).first<{ id: string }>();
    const stored = await (await accountD1(username)).prepare('SELECT code_hash FROM mfa_recovery_codes WHERE user_id = ?').bind(user!.id).all<{ code_hash: string }>();
    expect(stored.results).toHaveLength(10);
    for (const row of stored.results) expect(codes).not.toContain(row.code_hash);
    const enrolment = await (await accountD1(username)).prepare('SELECT secret_sealed FROM mfa_enrolments WHERE user_id = ?').bind(user!.id).first<{ secret_sealed: string }>();
    expect(enrolment!.secret_sealed).not.toContain(body.secret);
    // The enrolment token is spent.
    expect((await mfa(username, 'confirm', body.mfaToken, { code: await nextCode(body.secret) })).status).toBe(403);
  });

  it('auth.login of an enrolled account answers {mfaToken} only; mfa.challenge names the method; mfa.verify opens the session', async () => {
    const { username, password, secret } = await enrolledUser();
    const res = await login(username, password);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).filter((k) => k !== 'meta')).toEqual(['mfaToken']);
    const challenge = await mfa(username, 'challenge', res.body.mfaToken);
    expect(challenge.status).toBe(200);
    expect(challenge.body).toMatchObject({ message: 'Please verify the MFA challenge.', method: 'totp' });
    const verified = await mfa(username, 'verify', res.body.mfaToken, { code: await nextCode(secret) });
    expect(verified.status).toBe(200);
    expect(verified.body.apiEndpoint).toBe(`http://${verified.body.token}@127.0.0.1:8787/${username}/`);
    const info = await call('GET', `/${username}/access-info`, { token: verified.body.token });
    expect(info.body).toMatchObject({ type: 'personal', name: 'mfa-app' });
    // The sign-in step is spent.
    expect((await mfa(username, 'verify', res.body.mfaToken, { code: await nextCode(secret) })).status).toBe(403);
  });

  it('refuses a code already used (replay), even by another sign-in step', async () => {
    const { username, password, secret, confirmCode } = await enrolledUser();
    const code = await nextCode(secret);
    const first = await login(username, password);
    expect((await mfa(username, 'verify', first.body.mfaToken, { code })).status).toBe(200);
    const second = await login(username, password);
    const replay = await mfa(username, 'verify', second.body.mfaToken, { code });
    expect(replay.status).toBe(400);
    expect(replay.body.error.data).toEqual({ id: 'invalid-mfa-code' });
    // The code mfa.confirm consumed is refused as well.
    expect((await mfa(username, 'verify', second.body.mfaToken, { code: confirmCode })).status).toBe(400);
  });

  it('of two racing verifications with one code, exactly one opens a session', async () => {
    const { username, password, secret } = await enrolledUser();
    const code = await nextCode(secret);
    const [a, b] = [await login(username, password), await login(username, password)];
    const results = await Promise.all([mfa(username, 'verify', a.body.mfaToken, { code }), mfa(username, 'verify', b.body.mfaToken, { code })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it('refuses an unknown mfaToken, another account\'s, or a missing one, and an enrolment token for verify', async () => {
    const one = await enrolledUser();
    const other = await enrolledUser();
    const step = await login(one.username, one.password);
    expect((await mfa(one.username, 'challenge', 'bogus-token')).status).toBe(403);
    expect((await mfa(other.username, 'challenge', step.body.mfaToken)).status).toBe(403);
    const missing = await mfa(one.username, 'verify', undefined, { code: '123456' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.id).toBe('invalid-parameters-format');
    const fresh = await newUser('mfa');
    const enrol = await mfa(fresh.username, 'activate', fresh.token);
    expect((await mfa(fresh.username, 'verify', enrol.body.mfaToken, { code: await totpAt(enrol.body.secret, nowSeconds()) })).status).toBe(403);
  });

  it('an mfaToken tries at most 5 codes', async () => {
    const { username, password, secret } = await enrolledUser();
    const step = await login(username, password);
    const wrong = (await nextCode(secret)) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await mfa(username, 'verify', step.body.mfaToken, { code: wrong })).status).toBe(400);
    expect((await mfa(username, 'verify', step.body.mfaToken, { code: await nextCode(secret) })).status).toBe(403);
  });

  it('mfa.activate is refused while an enrolment is active', async () => {
    const { username, token } = await enrolledUser();
    const res = await mfa(username, 'activate', token);
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe('invalid-operation');
  });

  it('mfa.deactivate needs the password or a current code; then login answers a session again', async () => {
    const { username, token, password, confirmCode } = await enrolledUser();
    expect((await mfa(username, 'deactivate', token, {})).status).toBe(400);
    expect((await mfa(username, 'deactivate', token, { password: 'wrong-password' })).status).toBe(401);
    // The code mfa.confirm used is spent.
    expect((await mfa(username, 'deactivate', token, { code: confirmCode })).status).toBe(400);
    const res = await mfa(username, 'deactivate', token, { password });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('MFA deactivated.');
    expect((await login(username, password)).body.token).toBeDefined();
  });

  it('mfa.deactivate accepts a current, unused code as step-up', async () => {
    const { username, token, password, secret } = await enrolledUser();
    expect((await mfa(username, 'deactivate', token, { code: await nextCode(secret) })).status).toBe(200);
    expect((await login(username, password)).body.token).toBeDefined();
  });

  it('mfa.recover ends two-factor sign-in with the password and a recovery code, once; pending steps end too', async () => {
    const { username, password, recoveryCodes, secret } = await enrolledUser();
    const pending = await login(username, password);
    const body = { username, password, appId: 'mfa-app', recoveryCode: recoveryCodes[3] };
    expect((await mfa(username, 'recover', undefined, { ...body, password: 'wrong-password' })).status).toBe(401);
    expect((await mfa(username, 'recover', undefined, { ...body, recoveryCode: 'not-a-code' })).status).toBe(401);
    expect((await mfa(username, 'recover', undefined, { ...body, appId: 'untrusted' }, { headers: { Origin: 'https://evil.example' } })).status).toBe(401);
    const res = await mfa(username, 'recover', undefined, body);
    expect(res.status).toBe(200);
    expect((await mfa(username, 'recover', undefined, body)).status).toBe(401);
    expect((await mfa(username, 'verify', pending.body.mfaToken, { code: await nextCode(secret) })).status).toBe(403);
    expect((await login(username, password)).body.token).toBeDefined();
  });
});
