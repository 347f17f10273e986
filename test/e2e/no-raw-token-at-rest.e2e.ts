// No raw token at rest: after a run of API calls against `wrangler dev` (tokens in headers and in `?auth=`),
// no file of the local state folder holds any of the tokens used. D1 and KV keep only hashes and sealed
// copies, and the dev runtime's request log is off (scripts/dev-server.mjs).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startDevServer, tempStateDir, type DevServer } from '../../scripts/dev-server.mjs';

let server: DevServer;
let stateDir: string;

beforeAll(async () => {
  stateDir = tempStateDir();
  server = await startDevServer({ stateDir, vars: { TOKEN_KEY: 'e2e-token-key-not-secret' } });
});

afterAll(async () => {
  await server?.stop();
  if (stateDir) removeDir(stateDir);
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

async function api(method: string, url: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Origin: server.url };
  if (token) headers.Authorization = token;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

describe('tokens at rest in the local state folder', () => {
  it('a run of personal, app and shared token calls (headers and ?auth=) leaves no raw token in any state file', async () => {
    const username = `rest${Date.now().toString(36)}`;
    const reg = await api('POST', `${server.url}/reg/users`, undefined, {
      appId: 'rest-test-app', username, password: 'rest-password', email: `${username}@example.org`,
    });
    expect(reg.status).toBe(201);
    const personal = new URL(reg.body.apiEndpoint).username;
    const login = await api('POST', `${server.url}/${username}/auth/login`, undefined, { username, password: 'rest-password', appId: 'rest-test-app' });
    expect(login.status).toBe(200);
    const root = `${server.url}/${username}`;
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
    expect((await fetch(`${server.url}/s/${code}`)).status).toBe(200);
    await server.stop();

    const files = filesUnder(stateDir);
    expect(files.length).toBeGreaterThan(0);
    const leaks = files.flatMap((file) => {
      const bytes = readFileSync(file);
      return [...tokens, code].filter((secret) => bytes.includes(Buffer.from(secret))).map((secret) => `${path.relative(stateDir, file)} holds ${secret.slice(0, 4)}…`);
    });
    expect(leaks).toEqual([]);
  });
});
