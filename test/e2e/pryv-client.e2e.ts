// End to end, over real HTTP: the Worker runs under `wrangler dev` on loopback (fresh local state) and the
// official `pryv` client drives it exactly as an app would in DNS-less mode. Runs in Node, not in workerd.
import pryv, { type Connection } from 'pryv';
import { describe, expect, it } from 'vitest';
import { useDevServer } from './dev-server-fixture';

const e2e = useDevServer();

describe('the pryv client against a running Worker', () => {
  const username = `e2e${Date.now().toString(36)}`;
  const password = 'e2e-password';
  const appId = 'e2e-test-app';
  let connection: Connection;

  it('reads service info from /reg/service/info', async () => {
    const service = new pryv.Service(`${e2e.server.url}/reg/service/info`);
    const info = await service.info();
    expect(info.api).toBe(`${e2e.server.url}/{username}/`);
    expect(info.register).toBe(`${e2e.server.url}/reg/`);
    expect(await service.isDnsLess()).toBe(true);
  });

  it('registers a user through createUser with hosting "auto", then sees it exist', async () => {
    const service = new pryv.Service(`${e2e.server.url}/reg/service/info`);
    const created = await service.createUser({ username, password, email: `${username}@example.org`, hosting: 'auto', appId });
    expect(created).toEqual({ username, apiEndpoint: `${e2e.server.url}/${username}/` });
    expect(await service.userExists(username)).toBe(true);
    expect(await service.userExists(`${username}-nobody`)).toBe(false);
  });

  it('logs in (the client sends its register URL as Origin) and gets a working connection', async () => {
    const service = new pryv.Service(`${e2e.server.url}/reg/service/info`);
    connection = await service.login(username, password, appId);
    expect(connection.token).toMatch(/^[a-z][a-z0-9]{23}$/);
    const again = await service.login(username, password, appId);
    expect(again.token).toBe(connection.token);
  });

  it('reads access info through the connection', async () => {
    const info = await connection.accessInfo();
    expect(info).toMatchObject({ type: 'personal', name: appId, token: connection.token, user: { username } });
  });

  it('runs a batch through connection.api, results in order with inline errors', async () => {
    const results = await connection.api([
      { method: 'getAccessInfo', params: {} },
      { method: 'no.suchMethod', params: {} },
      { method: 'getAccessInfo', params: {} },
    ] as never);
    expect(results).toHaveLength(3);
    expect(results[0]).toMatchObject({ type: 'personal', name: appId });
    expect(results[1]).toMatchObject({ error: { id: 'invalid-method' } });
    expect(results[2]).toMatchObject({ user: { username } });
  });

  it('refuses the wrong password with the exact message', async () => {
    const service = new pryv.Service(`${e2e.server.url}/reg/service/info`);
    await expect(service.login(username, 'not-the-password', appId)).rejects.toThrow('The given username/password pair is invalid.');
  });
});
