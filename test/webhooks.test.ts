import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { newId } from '../src/lib/ids';
import { outboundUrlProblem } from '../src/lib/outbound-url';
import { accesses, webhooks as webhooksTable } from '../src/storage/schema';
import { addPending, claimDelivery } from '../src/storage/webhooks';
import { instrumentD1, type StorageCounts } from '../src/bench/instrument';
import { deliverQueued } from '../src/webhooks/deliver';
import { accountD1, accountDb, shardOf, userRow } from './db-fixtures';
import { call, newUser } from './helpers';

/** Webhooks (§4.8, §5.12): methods and rules, then delivery through the real queue to a real receiver. */
const receiver = inject('receiverUrl');
const hookUrl = (key: string, query = '') => `${receiver}/hook/${key}${query}`;

interface Received {
  signature: string | null;
  body: string;
  time: number;
}

async function received(key: string): Promise<Received[]> {
  return (await fetch(`${receiver}/log/${key}`)).json();
}

/** Polls the receiver until `count` requests of `key` arrived, or the time is up. */
async function waitFor(key: string, count: number, timeoutMs = 15_000): Promise<Received[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await received(key);
    if (got.length >= count || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function hmacHex(secret: string, text: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return [...new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(text)))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** An account with a stream and an app access that may create webhooks. */
async function accountWithApp() {
  const user = await newUser('hooks');
  expect((await call('POST', `/${user.username}/streams`, { token: user.token, body: { id: 'diary', name: 'Diary' } })).status).toBe(201);
  const app = await call('POST', `/${user.username}/accesses`, {
    token: user.token,
    body: { type: 'app', name: `app-${newId()}`, permissions: [{ streamId: 'diary', level: 'manage' }] },
  });
  return { ...user, app: { token: app.body.access.token as string, id: app.body.access.id as string } };
}

async function createHook(username: string, token: string, url: string) {
  return call('POST', `/${username}/webhooks`, { token, body: { url } });
}

describe('webhooks: methods and access rules', () => {
  it('app and shared accesses create; personal gets 403; a duplicate URL 409; a bad URL 400; scopes 400', async () => {
    const { username, token, app } = await accountWithApp();
    expect((await createHook(username, token, hookUrl('p'))).status).toBe(403);
    const created = await createHook(username, app.token, hookUrl('a'));
    expect(created.status).toBe(201);
    expect(created.body.webhook).toMatchObject({
      accessId: app.id, url: hookUrl('a'), state: 'active', minIntervalMs: 1000, maxRetries: 3, currentRetries: 0, runCount: 0, failCount: 0, runs: [],
    });
    expect(created.body.webhook.secret).toMatch(/^[0-9a-f]{64}$/);
    expect((await createHook(username, app.token, hookUrl('a'))).body.error).toMatchObject({ id: 'item-already-exists', data: { url: hookUrl('a') } });
    expect((await call('POST', `/${username}/webhooks`, { token: app.token, body: { url: 123 } })).status).toBe(400);
    expect((await call('POST', `/${username}/webhooks`, { token: app.token, body: { url: hookUrl('s'), scopes: {} } })).status).toBe(400);
    const listed = await call('GET', `/${username}/webhooks`, { token: app.token });
    expect(listed.body.webhooks.map((w: { id: string }) => w.id)).toEqual([created.body.webhook.id]);
    expect(listed.body.webhooks[0].secret).toBeUndefined();
  });

  it('personal reads, updates and deletes all webhooks; an app only its own; read-only fields 403', async () => {
    const { username, token, app } = await accountWithApp();
    const other = await call('POST', `/${username}/accesses`, { token, body: { type: 'app', name: 'other-app', permissions: [{ streamId: 'diary', level: 'read' }] } });
    const mine = (await createHook(username, app.token, hookUrl('mine'))).body.webhook;
    const theirs = (await createHook(username, other.body.access.token, hookUrl('theirs'))).body.webhook;
    expect((await call('GET', `/${username}/webhooks`, { token })).body.webhooks).toHaveLength(2);
    expect((await call('GET', `/${username}/webhooks/${theirs.id}`, { token: app.token })).status).toBe(403);
    expect((await call('GET', `/${username}/webhooks/${theirs.id}`, { token })).status).toBe(200);
    expect((await call('PUT', `/${username}/webhooks/${mine.id}`, { token: app.token, body: { url: hookUrl('x') } })).status).toBe(403);
    expect((await call('PUT', `/${username}/webhooks/${mine.id}`, { token: app.token, body: { runCount: 3 } })).status).toBe(403);
    expect((await call('PUT', `/${username}/webhooks/${mine.id}`, { token: app.token, body: { scopes: {} } })).status).toBe(400);
    const paused = await call('PUT', `/${username}/webhooks/${mine.id}`, { token, body: { state: 'inactive' } });
    expect(paused.body.webhook.state).toBe('inactive');
    expect((await call('DELETE', `/${username}/webhooks/${theirs.id}`, { token: app.token })).status).toBe(403);
    const deleted = await call('DELETE', `/${username}/webhooks/${theirs.id}`, { token });
    expect(deleted.body.webhookDeletion.id).toBe(theirs.id);
    expect((await call('GET', `/${username}/webhooks/${theirs.id}`, { token })).status).toBe(404);
  });

  it('refuses URLs that reach loopback, private, link-local or metadata addresses, and non-http schemes', async () => {
    const { username, app } = await accountWithApp();
    const strict = { WEBHOOK_ALLOW_HOSTS: '' };
    for (const url of [
      'http://127.0.0.1:8080/x', 'http://10.0.0.1/x', 'http://169.254.169.254/latest/meta-data', 'http://localhost/x',
      'http://[::1]/x', 'http://2130706433/x', 'http://0x7f000001/x', 'http://192.168.1.20/x', 'http://[::ffff:127.0.0.1]/x',
      'ftp://example.org/x', 'http://metadata.google.internal/x',
    ]) {
      const res = await call('POST', `/${username}/webhooks`, { token: app.token, body: { url }, vars: strict });
      expect(res.status, url).toBe(400);
      expect(res.body.error.id, url).toBe('invalid-parameters-format');
    }
    expect(outboundUrlProblem('https://hooks.example.org:8443/in', [])).toBeNull();
    expect(outboundUrlProblem('http://127.0.0.1:9/x', ['127.0.0.1'])).toBeNull();
  });

  it('deleting an access deletes its webhooks, and those of the shared accesses it created', async () => {
    const { username, token, app } = await accountWithApp();
    const shared = await call('POST', `/${username}/accesses`, { token: app.token, body: { name: 'child', permissions: [{ streamId: 'diary', level: 'read' }] } });
    await createHook(username, app.token, hookUrl('c1'));
    await createHook(username, shared.body.access.token, hookUrl('c2'));
    expect((await call('GET', `/${username}/webhooks`, { token })).body.webhooks).toHaveLength(2);
    expect((await call('DELETE', `/${username}/accesses/${app.id}`, { token })).status).toBe(200);
    expect((await call('GET', `/${username}/webhooks`, { token })).body.webhooks).toEqual([]);
  });

  it('webhooks.test posts a signed `test` message and counts the run; a failing URL answers 400 with the url', async () => {
    const { username, app } = await accountWithApp();
    const key = newId();
    const hook = (await createHook(username, app.token, hookUrl(key))).body.webhook;
    const tested = await call('POST', `/${username}/webhooks/${hook.id}/test`, { token: app.token });
    expect(tested.status).toBe(200);
    expect(tested.body.webhook).toMatchObject({ runCount: 1, failCount: 0, lastRun: { status: 200 } });
    const [got] = await received(key);
    expect(JSON.parse(got.body).messages).toEqual(['test']);
    const [t, v1] = got.signature!.split(',').map((part) => part.split('=')[1]);
    expect(v1).toBe(await hmacHex(hook.secret, `${t}.${got.body}`));
    const failing = (await createHook(username, app.token, hookUrl(newId(), '?status=500'))).body.webhook;
    const refused = await call('POST', `/${username}/webhooks/${failing.id}/test`, { token: app.token });
    expect(refused.body.error).toMatchObject({ id: 'unknown-referenced-resource', data: { url: failing.url } });
  });

  it('keeps the newest 20 runs, newest first, with exact counts', async () => {
    const { username, app } = await accountWithApp();
    const hook = (await createHook(username, app.token, hookUrl(newId()))).body.webhook;
    for (let i = 0; i < 23; i++) await call('POST', `/${username}/webhooks/${hook.id}/test`, { token: app.token });
    const { webhook } = (await call('GET', `/${username}/webhooks/${hook.id}`, { token: app.token })).body;
    expect(webhook.runCount).toBe(23);
    expect(webhook.runs).toHaveLength(20);
    const times = webhook.runs.map((r: { timestamp: number }) => r.timestamp);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(webhook.lastRun).toEqual(webhook.runs[0]);
  });
});

describe('webhooks: scheduling cost', () => {
  /** D1 round trips of one warm events.create, those run after the response (webhook scheduling) included. */
  async function createCost(username: string, token: string): Promise<number> {
    const counts: StorageCounts = { d1: 0, kvReads: 0, r2: 0 };
    const body = { streamIds: ['diary'], type: 'note/txt', content: 'x' };
    const res = await call('POST', `/${username}/events`, { token, body, vars: { [await shardOf(username)]: instrumentD1(await accountD1(username), counts) } });
    expect(res.status).toBe(201);
    return counts.d1;
  }

  it("costs nothing on an account without an active webhook: the access check's statement tells, in the write's round trip", async () => {
    const { username, app } = await accountWithApp();
    await createCost(username, app.token); // warms the token cache
    expect(await createCost(username, app.token)).toBe(1);
    const hook = await createHook(username, app.token, hookUrl('cost'));
    expect(hook.status).toBe(201);
    // One statement after the response now adds the change to the webhook's pending messages.
    expect(await createCost(username, app.token)).toBe(2);
    expect((await (await accountDb(username)).select().from(webhooksTable).where(eq(webhooksTable.id, hook.body.webhook.id)))[0].pending).toContain('eventsChanged');
  });
});

describe('webhooks: delivery through the queue', () => {
  it('a change reaches the receiver as one signed POST naming it', async () => {
    const { username, app } = await accountWithApp();
    const key = newId();
    const hook = (await createHook(username, app.token, hookUrl(key))).body.webhook;
    expect((await call('POST', `/${username}/events`, { token: app.token, body: { streamIds: ['diary'], type: 'note/txt', content: 'x' } })).status).toBe(201);
    const [got] = await waitFor(key, 1);
    expect(JSON.parse(got.body)).toMatchObject({ messages: ['eventsChanged'], meta: { apiVersion: '2.0.0' } });
    const [t, v1] = got.signature!.split(',').map((part) => part.split('=')[1]);
    expect(v1).toBe(await hmacHex(hook.secret, `${t}.${got.body}`));
  });

  it('changes within minIntervalMs are bundled into one POST without duplicate names', async () => {
    const { username, token, app } = await accountWithApp();
    const key = newId();
    await createHook(username, app.token, hookUrl(key));
    for (let i = 0; i < 5; i++) {
      await call('POST', `/${username}/events`, { token, body: { streamIds: ['diary'], type: 'note/txt', content: `n${i}` } });
    }
    await call('POST', `/${username}/streams`, { token, body: { id: 'more', name: 'More' } });
    const first = await waitFor(key, 1);
    await new Promise((r) => setTimeout(r, 2500));
    const all = await received(key);
    expect(all).toHaveLength(first.length);
    expect(all).toHaveLength(1);
    expect(JSON.parse(all[0].body).messages.sort()).toEqual(['eventsChanged', 'streamsChanged']);
  });

  it('retries a failing receiver with growing delays, then turns the webhook inactive after maxRetries', async () => {
    const { username, app } = await accountWithApp();
    const key = newId();
    const hook = (await createHook(username, app.token, hookUrl(key, '?status=503'))).body.webhook;
    await call('POST', `/${username}/events`, { token: app.token, body: { streamIds: ['diary'], type: 'note/txt', content: 'x' } });
    const runs = await waitFor(key, 3, 25_000);
    expect(runs).toHaveLength(3);
    // Retry k waits minIntervalMs × k (1 s, then 2 s): the gaps grow.
    expect(runs[2].time - runs[1].time).toBeGreaterThan(runs[1].time - runs[0].time);
    await new Promise((r) => setTimeout(r, 1500));
    const { webhook } = (await call('GET', `/${username}/webhooks/${hook.id}`, { token: app.token })).body;
    expect(webhook).toMatchObject({ state: 'inactive', currentRetries: 3, runCount: 3, failCount: 3, lastRun: { status: 503 } });
    expect(await received(key)).toHaveLength(3);
  });

  it('a re-delivered queue message is delivered and counted once; one re-delivered mid-run is finished once', async () => {
    const { username, app } = await accountWithApp();
    const key = newId();
    const hook = (await createHook(username, app.token, hookUrl(key))).body.webhook;
    const user = await userRow(username);
    const token = newId();
    await addPending(await accountDb(username), user.id, ['eventsChanged'], token);
    const message = { userId: user.id, username, webhookId: hook.id, token };
    await deliverQueued(env, message);
    await deliverQueued(env, message);
    expect(await received(key)).toHaveLength(1);
    // A consumer that died after claiming: the re-delivery finishes that delivery, once.
    const second = newId();
    await addPending(await accountDb(username), user.id, ['streamsChanged'], second);
    await claimDelivery(await accountDb(username), user.id, hook.id, second);
    await deliverQueued(env, { ...message, token: second });
    await deliverQueued(env, { ...message, token: second });
    const got = await received(key);
    expect(got.map((g) => JSON.parse(g.body).messages)).toEqual([['eventsChanged'], ['streamsChanged']]);
    const { webhook } = (await call('GET', `/${username}/webhooks/${hook.id}`, { token: app.token })).body;
    expect(webhook.runCount).toBe(2);
  });

  it('makes no delivery for an expired access, even with a message already queued: the webhook stops', async () => {
    const { username, token, app } = await accountWithApp();
    const key = newId();
    const hook = (await createHook(username, app.token, hookUrl(key))).body.webhook;
    const user = await userRow(username);
    const queued = newId();
    await addPending(await accountDb(username), user.id, ['eventsChanged'], queued);
    await (await accountDb(username)).update(accesses).set({ expires: Date.now() / 1000 - 60 }).where(eq(accesses.id, app.id));
    await deliverQueued(env, { userId: user.id, username, webhookId: hook.id, token: queued });
    expect(await received(key)).toEqual([]);
    const { webhook } = (await call('GET', `/${username}/webhooks/${hook.id}`, { token })).body;
    expect(webhook.state).toBe('inactive');
  });
});
