// Real-time over real HTTP (§5.14): the Worker under `wrangler dev` (path mode), driven by the npm clients apps
// use: `socket.io-client`, the `@pryv/socket.io` add-on of `pryv`, and Node's own WebSocket for the plain channel.
import pryvSocketIo from '@pryv/socket.io';
import pryv from 'pryv';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDevServer } from './dev-server-fixture';

const e2e = useDevServer();
// The add-on's types describe an older `pryv`; at run time it patches this one.
pryvSocketIo(pryv as never);

/** What `@pryv/socket.io` adds to a connection (its types do not extend `pryv`'s). */
interface PryvSocket {
  open(): Promise<PryvSocket>;
  on(event: string, listener: (...args: any[]) => void): PryvSocket;
  api(calls: { method: string; params: unknown }[]): Promise<any[]>;
}
const socketOf = (conn: unknown) => (conn as { socket: PryvSocket }).socket;

/** How soon a change must reach an open socket (the bar; the object merges within 100 ms). */
const NOTICE_DEADLINE_MS = 1_000;

interface Account {
  username: string;
  token: string;
  apiEndpoint: string;
}

async function api(account: Account, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${e2e.server.url}/${account.username}/${path}`, {
    method,
    headers: { Authorization: account.token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const once = <T>(socket: Socket, event: string) => new Promise<T>((resolve) => socket.once(event, resolve as never));

describe('real-time channels against a running Worker', () => {
  let owner: Account;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const username = `rt${Date.now().toString(36)}`;
    const res = await fetch(`${e2e.server.url}/reg/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ appId: 'e2e-realtime', username, password: 'rt-password', email: `${username}@example.org` }),
    });
    const { apiEndpoint } = (await res.json()) as { apiEndpoint: string };
    owner = { username, token: new URL(apiEndpoint).username, apiEndpoint };
    expect((await api(owner, 'POST', 'streams', { id: 'diary', name: 'Diary' })).status).toBe(201);
  });

  afterAll(() => {
    for (const s of sockets) s.close();
  });

  async function sharedAccount(): Promise<Account & { accessId: string }> {
    const res = await api(owner, 'POST', 'accesses', { name: `coach-${Math.random()}`, permissions: [{ streamId: 'diary', level: 'contribute' }] });
    expect(res.status).toBe(201);
    return { username: owner.username, token: res.body.access.token, apiEndpoint: res.body.access.apiEndpoint, accessId: res.body.access.id };
  }

  function connect(account: Account): Socket {
    const socket = io(`${e2e.server.url}/${account.username}/${account.username}?auth=${account.token}`, { transports: ['websocket'], forceNew: true });
    sockets.push(socket);
    return socket;
  }

  it('socket.io-client connects, receives eventsChanged within 1 s of an HTTP events.create, and calls events.get', async () => {
    const socket = connect(owner);
    await once(socket, 'connect');
    const changed = once<void>(socket, 'eventsChanged').then(() => Date.now());
    const written = Date.now();
    expect((await api(owner, 'POST', 'events', { streamIds: ['diary'], type: 'note/txt', content: 'live' })).status).toBe(201);
    expect((await changed) - written).toBeLessThan(NOTICE_DEADLINE_MS);
    const [error, result] = await new Promise<[any, any]>((resolve) => socket.emit('events.get', { streams: ['diary'] }, (e: any, r: any) => resolve([e, r])));
    expect(error).toBeNull();
    expect(result.events.map((e: any) => e.content)).toEqual(['live']);
  });

  it('socket.io-client is disconnected by the server, with an error first, when its access is deleted', async () => {
    const shared = await sharedAccount();
    const socket = connect(shared);
    await once(socket, 'connect');
    const error = once<any>(socket, 'error');
    const disconnected = once<string>(socket, 'disconnect');
    expect((await api(owner, 'DELETE', `accesses/${shared.accessId}`)).status).toBe(200);
    expect(await error).toEqual({ id: 'invalid-access-token', message: 'Cannot find access from token.' });
    expect(await disconnected).toBe('io server disconnect');
  });

  it('a polling-only socket.io-client gets an Engine.IO error at once instead of hanging', async () => {
    const socket = io(`${e2e.server.url}/${owner.username}/${owner.username}?auth=${owner.token}`, { transports: ['polling'], forceNew: true, reconnection: false });
    sockets.push(socket);
    const error = await once<Error & { description?: unknown }>(socket, 'connect_error');
    expect(error.message).toBe('xhr poll error');
    expect(error.description).toBe(400);
  });

  it('@pryv/socket.io opens, relays eventsChanged, runs socket.api(), and reports the disconnect of a deleted access', async () => {
    const shared = await sharedAccount();
    const socket = socketOf(new pryv.Connection(shared.apiEndpoint));
    await socket.open();
    // Revocation arrives as an 'error' event before the disconnect: the add-on re-emits it on a Node
    // EventEmitter, so a listener is needed, as @pryv/monitor has one.
    const revoked = new Promise<any>((resolve) => socket.on('error', resolve));
    const changed = new Promise<number>((resolve) => socket.on('eventsChanged', () => resolve(Date.now())));
    const written = Date.now();
    expect((await api(owner, 'POST', 'events', { streamIds: ['diary'], type: 'note/txt', content: 'from http' })).status).toBe(201);
    expect((await changed) - written).toBeLessThan(NOTICE_DEADLINE_MS);
    const [got] = await socket.api([{ method: 'events.get', params: { streams: ['diary'], limit: 1 } }]);
    expect(got.events[0].content).toBe('from http');
    const disconnected = new Promise<string>((resolve) => socket.on('disconnect', resolve));
    expect((await api(owner, 'DELETE', `accesses/${shared.accessId}`)).status).toBe(200);
    expect(await revoked).toMatchObject({ id: 'invalid-access-token' });
    expect(await disconnected).toBe('io server disconnect');
  });

  it('@pryv/socket.io refuses an unknown token with the API message', async () => {
    const conn = new pryv.Connection(`${e2e.server.url.replace('://', '://bogus-token@')}/${owner.username}/`);
    await expect(socketOf(conn).open()).rejects.toThrow('Cannot find access from token.');
  });

  it('the plain channel pushes {messages, meta} and closes with 4403 when its access is deleted', async () => {
    const shared = await sharedAccount();
    const ws = new WebSocket(`${e2e.server.url.replace('http', 'ws')}/${owner.username}/notifications?auth=${shared.token}`);
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve);
      ws.addEventListener('error', reject);
    });
    const frames: any[] = [];
    const streamsChanged = new Promise<void>((resolve) =>
      ws.addEventListener('message', (e) => {
        frames.push(JSON.parse(String(e.data)));
        if (frames.at(-1).messages.includes('streamsChanged')) resolve();
      }),
    );
    expect((await api(owner, 'POST', 'streams', { id: 'work', name: 'Work' })).status).toBe(201);
    await streamsChanged;
    expect(Object.keys(frames.at(-1))).toEqual(['messages', 'meta']);
    const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
    expect((await api(owner, 'DELETE', `accesses/${shared.accessId}`)).status).toBe(200);
    const close = await closed;
    expect([close.code, close.reason]).toEqual([4403, 'forbidden']);
  });
});
