// Webhooks end to end: `wrangler dev` (queues included) with a receiver on loopback allowed by the operator
// setting; an app access registers a webhook, a change made over HTTP reaches the receiver as a signed POST
// within minIntervalMs + 1 s, and webhooks.test works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../../scripts/webhook-receiver.mjs';
import { jsonCall, useDevServer } from './dev-server-fixture';

/** The bundling window of this run, in ms. */
const MIN_INTERVAL_MS = 1000;
const e2e = useDevServer({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1', WEBHOOK_MIN_INTERVAL_MS: String(MIN_INTERVAL_MS) });
let receiver: { url: string; close(): Promise<void> };

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => receiver?.close());

const api = jsonCall;

async function hmacHex(secret: string, text: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return [...new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(text)))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('webhooks against a running Worker', () => {
  it('an events.create over HTTP reaches the receiver as a signed POST within minIntervalMs + 1 s; webhooks.test works', async () => {
    const username = `hook${Date.now().toString(36)}`;
    const reg = await api('POST', `${e2e.server.url}/reg/users`, undefined, { appId: 'hook-test-app', username, password: 'hook-password', email: `${username}@example.org` });
    const personal = new URL(reg.body.apiEndpoint).username;
    const root = `${e2e.server.url}/${username}`;
    await api('POST', `${root}/streams`, personal, { id: 'diary', name: 'Diary' });
    const app = (await api('POST', `${root}/accesses`, personal, { type: 'app', name: 'hooks', permissions: [{ streamId: 'diary', level: 'manage' }] })).body.access;
    const key = `e2e${Date.now().toString(36)}`;
    const created = await api('POST', `${root}/webhooks`, app.token, { url: `${receiver.url}/hook/${key}` });
    expect(created.status).toBe(201);
    const { secret, id } = created.body.webhook;

    const sent = Date.now();
    expect((await api('POST', `${root}/events`, app.token, { streamIds: ['diary'], type: 'note/txt', content: 'hello' })).status).toBe(201);
    let log: { signature: string; body: string; time: number }[] = [];
    while (log.length === 0 && Date.now() - sent < MIN_INTERVAL_MS + 5000) {
      await new Promise((r) => setTimeout(r, 100));
      log = await (await fetch(`${receiver.url}/log/${key}`)).json();
    }
    expect(log).toHaveLength(1);
    expect(log[0].time * 1000 - sent).toBeLessThan(MIN_INTERVAL_MS + 1000);
    expect(JSON.parse(log[0].body).messages).toEqual(['eventsChanged']);
    const [t, v1] = log[0].signature.split(',').map((part) => part.split('=')[1]);
    expect(v1).toBe(await hmacHex(secret, `${t}.${log[0].body}`));

    const tested = await api('POST', `${root}/webhooks/${id}/test`, app.token);
    expect(tested.status).toBe(200);
    expect(tested.body.webhook.runCount).toBe(2);
  });
});
