// No raw token at rest: after a run of API calls against `wrangler dev` (tokens in headers and in `?auth=`),
// no file of the local state folder holds any of the tokens used. D1 and KV keep only hashes and sealed
// copies, and the dev runtime's request log is off (scripts/dev-server.mjs).
import { describe, expect, it } from 'vitest';
import { jsonCall, useDevServer } from './dev-server-fixture';
import { findSecrets } from './state-files.mjs';

const e2e = useDevServer();

/** Login checks the Origin against the trusted apps: every call sends the server's own. */
const api = (method: string, url: string, token?: string, body?: unknown) => jsonCall(method, url, token, body, { Origin: e2e.server.url });

describe('tokens at rest in the local state folder', () => {
  it('a run of personal, app and shared token calls (headers and ?auth=) leaves no raw token in any state file', async () => {
    const username = `rest${Date.now().toString(36)}`;
    const reg = await api('POST', `${e2e.server.url}/reg/users`, undefined, {
      appId: 'rest-test-app', username, password: 'rest-password', email: `${username}@example.org`,
    });
    expect(reg.status).toBe(201);
    const personal = new URL(reg.body.apiEndpoint).username;
    const login = await api('POST', `${e2e.server.url}/${username}/auth/login`, undefined, { username, password: 'rest-password', appId: 'rest-test-app' });
    expect(login.status).toBe(200);
    const root = `${e2e.server.url}/${username}`;
    expect((await api('POST', `${root}/streams`, personal, { id: 'diary', name: 'Diary' })).status).toBe(201);
    const app = await api('POST', `${root}/accesses`, personal, { type: 'app', name: 'an-app', permissions: [{ streamId: 'diary', level: 'manage' }] });
    const shared = await api('POST', `${root}/accesses`, app.body.access.token, { name: 'a-share', permissions: [{ streamId: 'diary', level: 'read' }] });
    expect(shared.status).toBe(201);
    const tokens = [personal, login.body.token, app.body.access.token, shared.body.access.token];
    for (const token of tokens) {
      expect((await fetch(`${root}/events?auth=${token}`)).status).toBe(200);
      expect((await fetch(`${root}/access-info?auth=${encodeURIComponent(token)}`)).status).toBe(200);
    }
    const code = new URL(shared.body.access.shareUrl).pathname.split('/').pop()!;
    expect((await fetch(`${e2e.server.url}/s/${code}`)).status).toBe(200);
    await e2e.server.stop();

    const { files, leaks } = findSecrets(e2e.stateDir, [...tokens, code]);
    expect(files).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });
});
