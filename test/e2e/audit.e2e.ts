// Audit under `wrangler dev`, as `npm start` and `npm run bench` run it: the queue binding, its consumer on the
// same Worker and the D1 append all work locally, so a call made over HTTP becomes a readable audit event.
import { describe, expect, it } from 'vitest';
import { jsonCall, useDevServer } from './dev-server-fixture';

const e2e = useDevServer();

/** The local queue delivers in batches (max_batch_timeout 2 s); a loaded machine is slower. */
const DELIVERY_TIMEOUT_MS = 30_000;
const POLL_MS = 250;

const api = jsonCall;

describe('audit under wrangler dev', () => {
  it('records a call through the local queue and reads it back as an audit event; the chain verifies', async () => {
    const username = `audit${Date.now().toString(36)}`;
    const reg = await api('POST', `${e2e.server.url}/reg/users`, undefined, {
      appId: 'audit-e2e-app', username, password: 'audit-password', email: `${username}@example.org`,
    });
    expect(reg.status).toBe(201);
    const token = new URL(reg.body.apiEndpoint).username;
    const root = `${e2e.server.url}/${username}`;
    expect((await api('GET', `${root}/events?limit=3`, token)).status).toBe(200);
    const auditQuery = `${root}/events?streams=${encodeURIComponent(JSON.stringify([':_audit:action-events.get']))}`;
    const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
    let events: any[] = [];
    while (events.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      events = (await api('GET', auditQuery, token)).body.events;
    }
    expect(events[events.length - 1]).toMatchObject({
      type: 'audit-log/pryv-api',
      createdBy: 'system',
      content: { source: { name: 'http' }, action: 'events.get', query: { limit: '3' } },
    });
    const verify = await api('GET', `${root}/audit/verify`, token);
    expect(verify.body.verification).toMatchObject({ ok: true });
    expect(verify.body.verification.records).toBeGreaterThanOrEqual(1);
  });
});
