import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { onAuditRecord } from '../src/calls/hooks';
import { AccountObject, PING_INTERVAL_MS } from '../src/realtime/account-object';
import { accountObject } from '../src/realtime/account-notifier';
import type { AuditRecord } from '../src/core/audit';
import { call, newUser } from './helpers';
import { recordHook } from './hook-recorder';
import { emitWithAck, openSocketIo, upgrade } from './realtime-fixtures';
import { accountD1 } from './db-fixtures';

/** Socket.IO v4 wire compatibility on the account object (§5.14), frame by frame as socket.io-client speaks it. */
describe('Socket.IO on the account object', () => {
  const audit = recordHook<AuditRecord>(onAuditRecord);

  async function account() {
    const user = await newUser('sio');
    expect((await call('POST', `/${user.username}/streams`, { token: user.token, body: { id: 'diary', name: 'Diary' } })).status).toBe(201);
    return user;
  }

  it('answers the handshake with a session id, no upgrades, the heartbeat and maxPayload, then joins /{u}/{u}', async () => {
    const { username, token } = await account();
    const { open, connected, nsp } = await openSocketIo(username, token);
    expect(open).toEqual({ sid: expect.any(String), upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 });
    expect(connected).toBe(`40${nsp},{"sid":"${open.sid}"}`);
  });

  it('in subdomain mode joins /{username}, the upgrade going straight to the account object', async () => {
    const { username, token } = await account();
    const { connected } = await openSocketIo(username, token, { nsp: `/${username}`, host: `${username}.example.test`, vars: { DOMAIN: 'example.test' } });
    expect(connected.startsWith(`40/${username},{"sid":`)).toBe(true);
  });

  it('refuses an unknown token with a connect error carrying the exact message, and an unknown namespace', async () => {
    const { username } = await account();
    const bad = await openSocketIo(username, 'not-a-token');
    expect(bad.connected.startsWith(`44/${username}/${username},`)).toBe(true);
    const error = JSON.parse(bad.connected.slice(`44/${username}/${username},`.length));
    expect(error).toEqual({ message: 'Cannot find access from token.', data: { id: 'invalid-access-token', message: 'Cannot find access from token.' } });
    expect((await bad.socket.closed).code).toBe(1000);
    const { token } = await account();
    const wrong = await openSocketIo(username, token, { nsp: '/a/b/c' });
    expect(wrong.connected).toBe('44/a/b/c,{"message":"Invalid namespace"}');
  });

  it('pushes 42/{ns},["eventsChanged"] after an HTTP write', async () => {
    const { username, token } = await account();
    const { socket, nsp } = await openSocketIo(username, token);
    await call('POST', `/${username}/events`, { token, body: { streamIds: ['diary'], type: 'note/txt', content: 'hi' } });
    expect(await socket.next((f) => f.startsWith('42'))).toBe(`42${nsp},["eventsChanged"]`);
  });

  it('runs emit(methodId, params, ack) through the call path: same result, same errors, audited as websocket', async () => {
    const { username, token } = await account();
    const { socket, nsp } = await openSocketIo(username, token);
    const created = await emitWithAck(socket, nsp, 1, 'events.create', { streamIds: ['diary'], type: 'note/txt', content: 'over the socket' });
    expect(created[0]).toBeNull();
    expect((created[1] as any).event.content).toBe('over the socket');
    expect((created[1] as any).meta.apiVersion).toBe('2.0.0');
    // The socket's own write is pushed to it like any other.
    expect(await socket.next((f) => f.startsWith('42'))).toBe(`42${nsp},["eventsChanged"]`);
    const got = await emitWithAck(socket, nsp, 2, 'events.get', { streams: ['diary'] });
    expect((got[1] as any).events.map((e: any) => e.content)).toEqual(['over the socket']);
    const refused = await emitWithAck(socket, nsp, 3, 'events.create', { streamIds: ['nowhere'], type: 'note/txt', content: 'x' });
    expect(refused).toEqual([expect.objectContaining({ id: 'unknown-referenced-resource' })]);
    const bad = await emitWithAck(socket, nsp, 4, 'events.get', { withDeletions: true });
    expect((bad[0] as any).id).toBe('invalid-parameters-format');
    expect(audit.items.filter((r) => r.username === username && r.source.name === 'websocket').map((r) => r.methodId)).toEqual(
      expect.arrayContaining(['socket.io.connect', 'events.create', 'events.get']),
    );
  });

  it('takes callBatch with the calls array as params, and refuses what a batch cannot call', async () => {
    const { username, token } = await account();
    const { socket, nsp } = await openSocketIo(username, token);
    const [error, result] = await emitWithAck(socket, nsp, 7, 'callBatch', [
      { method: 'streams.get', params: {} },
      { method: 'no.such', params: {} },
    ]);
    expect(error).toBeNull();
    expect((result as any).results[0].streams.map((s: any) => s.id)).toEqual(['diary']);
    expect((result as any).results[1].error.id).toBe('invalid-method');
    expect((await emitWithAck(socket, nsp, 8, 'auth.login', {}))[0]).toMatchObject({ id: 'invalid-method' });
  });

  it('sends accessUpdated to the sockets of an access after accesses.update', async () => {
    const { username, token } = await account();
    const shared = (await call('POST', `/${username}/accesses`, { token, body: { name: 'coach', permissions: [{ streamId: 'diary', level: 'read' }] } })).body.access;
    const { socket, nsp } = await openSocketIo(username, shared.token);
    expect((await call('PUT', `/${username}/accesses/${shared.id}`, { token, body: { name: 'trainer' } })).status).toBe(200);
    expect(await socket.next((f) => f.includes('accessUpdated'))).toBe(`42${nsp},["accessUpdated"]`);
    expect(await socket.next((f) => f.includes('accessesChanged'))).toBe(`42${nsp},["accessesChanged"]`);
  });

  it('disconnects the sockets of a deleted access at once: an error event, then a namespace disconnect', async () => {
    const { username, token } = await account();
    const shared = (await call('POST', `/${username}/accesses`, { token, body: { name: 'coach', permissions: [{ streamId: 'diary', level: 'contribute' }] } })).body.access;
    const { socket, nsp } = await openSocketIo(username, shared.token);
    expect((await call('DELETE', `/${username}/accesses/${shared.id}`, { token })).status).toBe(200);
    expect(JSON.parse((await socket.next((f) => f.startsWith(`42${nsp},["error"`))).slice(`42${nsp},`.length))).toEqual([
      'error',
      { id: 'invalid-access-token', message: 'Cannot find access from token.' },
    ]);
    expect(await socket.next((f) => f.startsWith('41'))).toBe(`41${nsp},`);
    await socket.closed;
  });

  it('re-checks the access on every call like HTTP: revoked behind the object’s back, the call gets the HTTP error', async () => {
    const { username, token } = await account();
    const shared = (await call('POST', `/${username}/accesses`, { token, body: { name: 'coach', permissions: [{ streamId: 'diary', level: 'contribute' }] } })).body.access;
    const { socket, nsp } = await openSocketIo(username, shared.token);
    // Warm the caches (isolate memory, KV) with the live access, then delete it in D1 only: no notice reaches the object.
    expect((await emitWithAck(socket, nsp, 1, 'events.get', {}))[0]).toBeNull();
    await (await accountD1(username)).prepare('UPDATE accesses SET deleted = ?, modified = modified + 1 WHERE id = ?').bind(Date.now() / 1000, shared.id).run();
    const write = await emitWithAck(socket, nsp, 2, 'events.create', { streamIds: ['diary'], type: 'note/txt', content: 'late' });
    expect(write).toEqual([{ id: 'invalid-access-token', message: 'Cannot find access from token.' }]);
    const events = await call('GET', `/${username}/events`, { token });
    expect(events.body.events).toEqual([]);
  });

  it('answers a method call from a fresh instance (as after hibernation): the attachment holds all it needs', async () => {
    const { username, token } = await account();
    const { socket, nsp } = await openSocketIo(username, token);
    const row = await (await accountD1(username)).prepare('SELECT id FROM users WHERE username = ?').bind(username).first<{ id: string }>();
    await runInDurableObject(accountObject(env, row!.id), async (_i: AccountObject, state) => {
      const [ws] = state.getWebSockets();
      const revived = new AccountObject(state, env);
      await revived.webSocketMessage(ws, `42${nsp},5["streams.get",{}]`);
    });
    const ack = JSON.parse((await socket.next((f) => f.startsWith(`43${nsp},5[`))).slice(`43${nsp},5`.length));
    expect(ack[0]).toBeNull();
    expect(ack[1].streams.map((s: { id: string }) => s.id)).toEqual(['diary']);
  });

  it('keeps a heartbeat alarm while a Socket.IO socket is open, and drops it when the last one closes', async () => {
    const { username, token } = await account();
    const { socket } = await openSocketIo(username, token);
    const row = await (await accountD1(username)).prepare('SELECT id FROM users WHERE username = ?').bind(username).first<{ id: string }>();
    const stub = accountObject(env, row!.id);
    const alarmOf = () => runInDurableObject(stub, (_i: AccountObject, state) => state.storage.getAlarm());
    const alarm = await alarmOf();
    expect(alarm! - Date.now()).toBeGreaterThan(PING_INTERVAL_MS - 5_000);
    expect(alarm! - Date.now()).toBeLessThanOrEqual(PING_INTERVAL_MS);
    socket.ws.close(1000, 'bye');
    await expect.poll(alarmOf, { timeout: 3_000 }).toBeNull();
    // Leaving the namespace (socket.close() in socket.io-client) closes from the server's side: same outcome.
    const again = await openSocketIo(username, token);
    expect(await alarmOf()).not.toBeNull();
    again.socket.send(`41${again.nsp},`);
    await again.socket.closed;
    await expect.poll(alarmOf, { timeout: 3_000 }).toBeNull();
  });

  it('closes the socket on a malformed frame (1002) and answers the upgrade probe ping', async () => {
    const { username, token } = await account();
    const { socket } = await openSocketIo(username, token);
    socket.send('2probe');
    expect(await socket.next((f) => f.startsWith('3'))).toBe('3probe');
    socket.send('42/not-json,[');
    expect((await socket.closed).code).toBe(1002);
  });

  it('answers a polling or pre-v4 client with a clear Engine.IO error instead of hanging', async () => {
    const polling = await SELF.fetch('http://127.0.0.1:8787/socket.io/?EIO=4&transport=polling');
    expect(polling.status).toBe(400);
    expect(await polling.json()).toMatchObject({ code: 0, message: 'Transport unknown', context: { hint: expect.stringContaining('websocket') } });
    const v3 = await upgrade('/socket.io/?EIO=3&transport=websocket');
    expect(v3.res.status).toBe(400);
    expect(await v3.res.json()).toMatchObject({ code: 5, message: 'Unsupported protocol version' });
  });
});
