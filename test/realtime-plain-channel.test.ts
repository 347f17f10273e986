import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { AccountObject } from '../src/realtime/account-object';
import { accountObject } from '../src/realtime/account-notifier';
import { OPENING_HEADER, type SocketState } from '../src/realtime/socket-state';
import { call, newUser } from './helpers';
import { openPlain, upgrade } from './realtime-fixtures';
import { accountD1 } from './db-fixtures';

/** The plain notification channel `GET U/notifications` (§5.14) and the account object behind it. */
describe('plain notification channel', () => {
  async function account() {
    const user = await newUser('plain');
    expect((await call('POST', `/${user.username}/streams`, { token: user.token, body: { id: 'diary', name: 'Diary' } })).status).toBe(201);
    return user;
  }

  async function sharedToken(username: string, token: string, extra: Record<string, unknown> = {}) {
    const res = await call('POST', `/${username}/accesses`, { token, body: { name: `s${Math.random()}`, permissions: [{ streamId: 'diary', level: 'read' }], ...extra } });
    expect(res.status).toBe(201);
    return { id: res.body.access.id as string, token: res.body.access.token as string };
  }

  it('answers token failures before the upgrade with the normal JSON errors, and a plain GET with 400', async () => {
    const { username, token } = await account();
    const noToken = await upgrade(`/${username}/notifications`);
    expect(noToken.res.status).toBe(401);
    expect((await noToken.res.json<any>()).error.id).toBe('invalid-access-token');
    const badToken = await upgrade(`/${username}/notifications`, { token: 'nope' });
    expect(badToken.res.status).toBe(403);
    expect((await badToken.res.json<any>()).error.message).toBe('Cannot find access from token.');
    expect((await upgrade('/nobody-here/notifications', { token })).res.status).toBe(404);
    // The token is judged first: a plain GET with a bad token is a 403, not a 400.
    expect((await call('GET', `/${username}/notifications`, { token: 'nope' })).status).toBe(403);
    const plainGet = await call('GET', `/${username}/notifications`, { token });
    expect(plainGet.status).toBe(400);
    expect(plainGet.body.error.id).toBe('invalid-request-structure');
    expect(plainGet.body.meta.apiVersion).toBe('2.0.0');
  });

  it('accepts the token as ?auth= (browsers cannot set headers) and upgrades with 101', async () => {
    const { username, token } = await account();
    const { res, socket } = await upgrade(`/${username}/notifications?auth=${token}`);
    expect(res.status).toBe(101);
    socket!.ws.close(1000, 'done');
  });

  it('fans a write out to every open channel of the account, whatever the access, as {messages, meta}', async () => {
    const { username, token } = await account();
    const shared = await sharedToken(username, token);
    const sockets = [await openPlain(username, token), await openPlain(username, token), await openPlain(username, shared.token)];
    const other = await account();
    const stranger = await openPlain(other.username, other.token);
    const res = await call('POST', `/${username}/events`, { token, body: { streamIds: ['diary'], type: 'note/txt', content: 'hi' } });
    expect(res.status).toBe(201);
    for (const socket of sockets) {
      const frame = JSON.parse(await socket.next());
      expect(frame.messages).toEqual(['eventsChanged']);
      expect(Object.keys(frame.meta).sort()).toEqual(['apiVersion', 'serial', 'serverTime']);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(stranger.frames).toEqual([]);
  });

  it('merges notices arriving within 100 ms of a push into one frame naming every kind', async () => {
    const { username, token } = await account();
    const socket = await openPlain(username, token);
    const stub = accountObject(env, await userIdOf(username));
    await stub.notify(['events']);
    await stub.notify(['streams']);
    await stub.notify(['events']);
    expect(JSON.parse(await socket.next()).messages).toEqual(['eventsChanged']);
    expect(JSON.parse(await socket.next()).messages).toEqual(['eventsChanged', 'streamsChanged']);
    await new Promise((r) => setTimeout(r, 250));
    expect(socket.frames).toHaveLength(2);
  });

  it('closes the channels of a deleted access at once with 4403 "forbidden", and only those', async () => {
    const { username, token } = await account();
    const shared = await sharedToken(username, token);
    const doomed = await openPlain(username, shared.token);
    const kept = await openPlain(username, token);
    expect((await call('DELETE', `/${username}/accesses/${shared.id}`, { token })).status).toBe(200);
    expect(await doomed.closed).toEqual({ code: 4403, reason: 'forbidden' });
    expect(JSON.parse(await kept.next()).messages).toEqual(['accessesChanged']);
  });

  it('closes the channel of a personal session at logout', async () => {
    const { username, password } = await account();
    const login = await call('POST', `/${username}/auth/login`, { body: { username, password, appId: 'other-app' }, headers: { Origin: 'http://127.0.0.1:8787' } });
    const socket = await openPlain(username, login.body.token);
    expect((await call('POST', `/${username}/auth/logout`, { token: login.body.token })).status).toBe(200);
    expect((await socket.closed).code).toBe(4403);
  });

  it('closes the channel of an access when it reaches its expiry, on the object’s own alarm', async () => {
    const { username, token } = await account();
    const shared = await sharedToken(username, token, { expireAfter: 1 });
    const socket = await openPlain(username, shared.token);
    const stub = accountObject(env, await userIdOf(username));
    const alarm = await runInDurableObject(stub, (_i: AccountObject, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm! / 1000).toBeCloseTo(Date.now() / 1000 + 1, 0);
    const started = Date.now();
    expect(await socket.closed).toEqual({ code: 4403, reason: 'forbidden' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('ignores client frames but closes a socket whose frame is over the size limit (1009)', async () => {
    const { username, token } = await account();
    const socket = await openPlain(username, token);
    socket.send('hello');
    socket.send('x'.repeat(1_000_001));
    expect((await socket.closed).code).toBe(1009);
  });

  it('keeps what it needs in each socket’s attachment: a fresh instance (as after hibernation) pushes to it', async () => {
    const { username, token } = await account();
    const socket = await openPlain(username, token);
    const userId = await userIdOf(username);
    await runInDurableObject(accountObject(env, userId), async (_instance: AccountObject, state) => {
      const [ws] = state.getWebSockets();
      const attached = ws.deserializeAttachment() as SocketState;
      expect(attached).toMatchObject({ protocol: 'plain', username, userId, sealedToken: null });
      const revived = new AccountObject(state, env);
      await revived.notify(['streams']);
    });
    expect(JSON.parse(await socket.next()).messages).toEqual(['streamsChanged']);
  });

  it('refuses sockets over the per-account cap with 429 before any upgrade', async () => {
    const { username, token } = await account();
    await openPlain(username, token);
    const userId = await userIdOf(username);
    const opening = (await runInDurableObject(accountObject(env, userId), async (_i: AccountObject, state) => state.getWebSockets()[0].deserializeAttachment())) as SocketState;
    const res = await runInDurableObject(accountObject(env, userId), async (_i: AccountObject, state) =>
      new AccountObject(state, { ...env, REALTIME_MAX_SOCKETS: '1' }).fetch(
        new Request('https://account.internal/', { headers: { Upgrade: 'websocket', [OPENING_HEADER]: JSON.stringify({ state: opening, handedOff: false }) } }),
      ),
    );
    expect(res.status).toBe(429);
    expect((await res.json<any>()).error).toMatchObject({ id: 'too-many-attempts', data: { limit: 1 } });
  });
});

async function userIdOf(username: string): Promise<string> {
  const row = await (await accountD1(username)).prepare('SELECT id FROM users WHERE username = ?').bind(username).first<{ id: string }>();
  return row!.id;
}
