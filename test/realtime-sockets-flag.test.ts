// The account's real-time sockets flag (decision 032): the account object sets `users.realtime_sockets` before it
// accepts its first socket and clears it after its last; a write whose request guard read it as 0 is not forwarded
// to the object, and no socket ever misses the notice of a write made while it was open.
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { moveAccount } from '../scripts/account-move-steps.mjs';
import { onChangeNotice } from '../src/calls/hooks';
import type { ChangeNotice } from '../src/core/notices';
import type { Env } from '../src/env';
import { accountObject } from '../src/realtime/account-notifier';
import { SocketsFlag } from '../src/realtime/sockets-flag';
import { shardsOf } from '../src/storage/directory';
import { accountD1, shardOf, userRow } from './db-fixtures';
import { call, newUser } from './helpers';
import { recordHook } from './hook-recorder';
import { openPlain, openSocketIo, upgrade, type TestSocket } from './realtime-fixtures';

const feed = recordHook<ChangeNotice>(onChangeNotice);

/** Long enough for a notice forwarded after a response (`waitUntil`) to have reached the object. */
const SETTLE_MS = 300;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function account() {
  const user = await newUser('flag');
  expect((await call('POST', `/${user.username}/streams`, { token: user.token, body: { id: 'diary', name: 'Diary' } })).status).toBe(201);
  const { id } = await userRow(user.username);
  return { ...user, userId: id };
}

/** The flag as the account's shard holds it now. */
async function flagOf(username: string): Promise<number> {
  const d1 = await accountD1(username);
  return (await d1.prepare('SELECT realtime_sockets AS s FROM users WHERE username = ?').bind(username).first<{ s: number }>())!.s;
}

/** Clearing happens after the close reached the object: wait for it (bounded). */
async function flagBecomes(username: string, value: number): Promise<number> {
  for (let i = 0; i < 40; i++) {
    const now = await flagOf(username);
    if (now === value) return now;
    await pause(50);
  }
  return flagOf(username);
}

const noticesAt = async (userId: string) => (await accountObject(env, userId).activity()).noticesHere;

const write = (username: string, token: string, content = 'hi') =>
  call('POST', `/${username}/events`, { token, body: { streamIds: ['diary'], type: 'note/txt', content } });

/**
 * The account's shard as the object sees it, except that its first batch (the first write of the flag) is held
 * back `ms` before it goes to the real database: a write in flight, for the races below. Every answer is the
 * real D1's.
 */
async function slowFirstWrite(username: string, ms: number): Promise<Env> {
  const name = await shardOf(username);
  const real = (env as unknown as Record<string, D1Database>)[name];
  let first = true;
  const slow = {
    prepare: (sql: string) => real.prepare(sql),
    batch: async (statements: D1PreparedStatement[]) => {
      if (first) {
        first = false;
        await pause(ms);
      }
      return real.batch(statements);
    },
  };
  return { ...env, [name]: slow } as unknown as Env;
}

function closeAndWait(socket: TestSocket): Promise<unknown> {
  socket.ws.close(1000, 'done');
  return socket.closed;
}

describe('real-time sockets flag (decision 032)', () => {
  it('a write of an account with no open socket is not forwarded to its object; the isolate still gets the notice', async () => {
    const u = await account();
    expect(await flagOf(u.username)).toBe(0);
    await pause(SETTLE_MS);
    const before = await noticesAt(u.userId);
    feed.items = [];
    expect((await write(u.username, u.token)).status).toBe(201);
    const create = (content: string) => ({ method: 'events.create', params: { streamIds: ['diary'], type: 'note/txt', content } });
    expect((await call('POST', `/${u.username}/`, { token: u.token, body: [create('a'), create('b')] })).status).toBe(200);
    await pause(SETTLE_MS);
    expect(await noticesAt(u.userId)).toBe(before);
    // The isolate's own hub (webhook scheduling, tests) still receives every notice, marked as needing no forward.
    const mine = feed.items.filter((n) => n.userId === u.userId);
    expect(mine.map((n) => [n.changes, n.sockets])).toEqual([[['events'], false], [['events'], false]]);
  });

  it('sets the flag before a plain channel is accepted, forwards every write while it is open, clears it after the close', async () => {
    const u = await account();
    const socket = await openPlain(u.username, u.token);
    // Set before the 101: no waiting.
    expect(await flagOf(u.username)).toBe(1);
    const before = await noticesAt(u.userId);
    for (let i = 0; i < 3; i++) {
      expect((await write(u.username, u.token, `n${i}`)).status).toBe(201);
      expect(JSON.parse(await socket.next()).messages).toEqual(['eventsChanged']);
      // Wider than the merge window: each write is pushed on its own.
      await pause(150);
    }
    expect(await noticesAt(u.userId)).toBe(before + 3);
    await closeAndWait(socket);
    expect(await flagBecomes(u.username, 0)).toBe(0);
    const after = await noticesAt(u.userId);
    expect((await write(u.username, u.token)).status).toBe(201);
    await pause(SETTLE_MS);
    expect(await noticesAt(u.userId)).toBe(after);
  });

  it('does the same for Socket.IO relayed by the Worker (path mode) and opened on the object directly (subdomain mode)', async () => {
    const u = await account();
    const subdomain = { nsp: `/${u.username}`, host: `${u.username}.example.test`, vars: { DOMAIN: 'example.test' } };
    for (const opts of [{}, subdomain]) {
      const { socket, nsp, connected } = await openSocketIo(u.username, u.token, opts);
      expect(connected.startsWith(`40${nsp},`)).toBe(true);
      expect(await flagOf(u.username)).toBe(1);
      expect((await write(u.username, u.token)).status).toBe(201);
      expect(await socket.next((f) => f.startsWith(`42${nsp},`))).toBe(`42${nsp},["eventsChanged"]`);
      await closeAndWait(socket);
      expect(await flagBecomes(u.username, 0)).toBe(0);
    }
  });

  it('keeps the flag set while any socket is open, whatever the order of many concurrent opens and closes', async () => {
    const u = await account();
    const first = await Promise.all(Array.from({ length: 8 }, () => openPlain(u.username, u.token)));
    expect(await flagOf(u.username)).toBe(1);
    // Close them all while as many others open: the openings must win over the clears.
    const [, second] = await Promise.all([Promise.all(first.map(closeAndWait)), Promise.all(Array.from({ length: 8 }, () => openPlain(u.username, u.token)))]);
    await pause(SETTLE_MS);
    expect(await flagOf(u.username)).toBe(1);
    expect((await accountObject(env, u.userId).activity()).sockets).toBe(8);
    // Every open socket still gets every write.
    expect((await write(u.username, u.token)).status).toBe(201);
    for (const socket of second) expect(JSON.parse(await socket.next()).messages).toEqual(['eventsChanged']);
    // Closing all but one, concurrently, with one more opening meanwhile: still set.
    const [, last] = await Promise.all([Promise.all(second.map(closeAndWait)), openPlain(u.username, u.token)]);
    await pause(SETTLE_MS);
    expect(await flagOf(u.username)).toBe(1);
    expect((await write(u.username, u.token)).status).toBe(201);
    expect(JSON.parse(await last.next()).messages).toEqual(['eventsChanged']);
    // The last one closes: cleared.
    await closeAndWait(last);
    expect(await flagBecomes(u.username, 0)).toBe(0);
    expect((await accountObject(env, u.userId).activity()).sockets).toBe(0);
  });

  it('serializes its writes, each writing the state as it is when it runs: a clear in flight when a socket opens is followed by a set', async () => {
    const u = await account();
    const who = { userId: u.userId, username: u.username };
    let open = true;
    // The first socket: set.
    await new SocketsFlag(env, () => open).sync(who);
    expect(await flagOf(u.username)).toBe(1);
    // The last socket closes (a clear, held in flight), then another opens before that clear landed.
    const flag = new SocketsFlag(await slowFirstWrite(u.username, 200), () => open);
    open = false;
    const clearing = flag.sync(who);
    await pause(20);
    open = true;
    const opening = flag.sync(who);
    await Promise.all([clearing, opening]);
    expect(await flagOf(u.username)).toBe(1);
    // And the other way round: an opening's set in flight when everything closes ends cleared.
    const again = new SocketsFlag(await slowFirstWrite(u.username, 200), () => open);
    open = true;
    const setting = again.sync(who);
    await pause(20);
    open = false;
    await Promise.all([setting, again.sync(who)]);
    expect(await flagOf(u.username)).toBe(0);
  });

  it('clears the flag when the object itself closes the last socket (a revoked access)', async () => {
    const u = await account();
    const shared = await call('POST', `/${u.username}/accesses`, { token: u.token, body: { name: 'friend', permissions: [{ streamId: 'diary', level: 'read' }] } });
    const socket = await openPlain(u.username, shared.body.access.token);
    expect(await flagOf(u.username)).toBe(1);
    expect((await call('DELETE', `/${u.username}/accesses/${shared.body.access.id}`, { token: u.token })).status).toBe(200);
    expect((await socket.closed).code).toBe(4403);
    expect(await flagBecomes(u.username, 0)).toBe(0);
  });

  it('refuses a socket with 503 account-moving while the account is frozen for a move, and the flag moves with the account', async () => {
    const u = await account();
    const from = await shardOf(u.username);
    const to = shardsOf(env).find((s) => s.name !== from)!.name;
    const during: { status?: number; id?: string; retryAfter?: string | null } = {};
    await moveAccount(env, u.username, to, async (line) => {
      if (!line.includes('frozen')) return;
      const { res } = await upgrade(`/${u.username}/notifications`, { token: u.token });
      during.status = res.status;
      const body = await res.json<any>();
      during.id = body.error?.id;
      during.retryAfter = res.headers.get('Retry-After');
    });
    expect(during).toEqual({ status: 503, id: 'account-moving', retryAfter: '5' });
    expect(await shardOf(u.username)).toBe(to);
    expect(await flagOf(u.username)).toBe(0);

    // A socket open before the next move: the copy carries the flag, and writes after the move reach the socket.
    const socket = await openPlain(u.username, u.token);
    expect(await flagOf(u.username)).toBe(1);
    await moveAccount(env, u.username, from);
    expect(await shardOf(u.username)).toBe(from);
    expect(await flagOf(u.username)).toBe(1);
    expect((await write(u.username, u.token)).status).toBe(201);
    expect(JSON.parse(await socket.next()).messages).toEqual(['eventsChanged']);
    await closeAndWait(socket);
    expect(await flagBecomes(u.username, 0)).toBe(0);
  });

  it('a socket closing while the account is frozen leaves the flag set (safe), and the object clears it on its retry alarm', async () => {
    const u = await account();
    const from = await shardOf(u.username);
    const to = shardsOf(env).find((s) => s.name !== from)!.name;
    const socket = await openPlain(u.username, u.token);
    await moveAccount(env, u.username, to, async (line) => {
      if (!line.includes('frozen')) return;
      await closeAndWait(socket);
      await pause(SETTLE_MS);
    });
    // The clear was refused by the frozen source; the copy carries the flag as it was.
    expect(await flagOf(u.username)).toBe(1);
    expect(await runDurableObjectAlarm(accountObject(env, u.userId))).toBe(true);
    expect(await flagOf(u.username)).toBe(0);
  });
});
