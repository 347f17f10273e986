import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { LIMIT_VARS, readConfig } from '../src/config';
import { DEFAULT_LIMITS } from '../src/core/limits';
import type { Env } from '../src/env';
import { batch, call, newUser } from './helpers';

/** The operator's input limits (docs/limits.md): each answers 400 or 413 with the limit in `data`. */
const D = DEFAULT_LIMITS;

async function account(vars?: Partial<Env>) {
  const u = await newUser('lim');
  const api = (method: string, path: string, body?: unknown) => call(method, `/${u.username}${path}`, { token: u.token, body, vars });
  await api('POST', '/streams', { id: 's', name: 's' });
  return { ...u, api };
}

const kib = (n: number) => 'x'.repeat(n * 1024);

describe('defaults', () => {
  it('skip and limit: up to 1,000,000, and 1e308 is a 400 with the limit (a 500 before)', async () => {
    const { api } = await account();
    expect((await api('GET', `/events?skip=${D.skip}&limit=${D.limit}`)).status).toBe(200);
    for (const key of ['skip', 'limit'] as const) {
      for (const value of [String(D[key] + 1), '1e308', '9007199254740993']) {
        const res = await api('GET', `/events?${key}=${value}`);
        expect(res.status, `${key}=${value}`).toBe(400);
        expect(res.body.error).toMatchObject({ id: 'invalid-parameters-format', data: [{ path: key, limit: D[key] }] });
      }
    }
  });

  it('names: 500 characters, ids: 256 characters, each a 400 with the limit', async () => {
    const { api } = await account();
    const name = await api('POST', '/streams', { name: 'n'.repeat(D.nameLength + 1) });
    expect(name.body.error).toMatchObject({ id: 'invalid-parameters-format', data: [{ path: 'name', limit: D.nameLength }] });
    expect((await api('POST', '/streams', { name: 'n'.repeat(D.nameLength) })).status).toBe(201);
    const longId = 'i'.repeat(D.idLength + 1);
    const cases: [string, string, unknown, string][] = [
      ['GET', `/events/${longId}`, undefined, 'id'],
      ['DELETE', `/streams/${longId}`, undefined, 'id'],
      ['PUT', `/accesses/${longId}`, { name: 'x' }, 'id'],
      ['POST', '/events', { streamIds: [longId], type: 'note/txt', content: 'c' }, 'streamIds.0'],
      ['POST', '/streams', { name: 'x', parentId: longId }, 'parentId'],
      ['POST', '/accesses', { name: 'x', permissions: [{ streamId: longId, level: 'read' }] }, 'permissions.0.streamId'],
    ];
    for (const [verb, path, body, where] of cases) {
      const res = await api(verb, path, body);
      expect(res.status, `${verb} ${path.slice(0, 30)}`).toBe(400);
      expect(res.body.error.data).toContainEqual(expect.objectContaining({ path: where, limit: D.idLength }));
    }
  });

  it('clientData: 64 KiB serialized, on create and once merged by updates: 413 with the limit and the path', async () => {
    const { api } = await account();
    const big = await api('POST', '/streams', { name: 'big', clientData: { a: kib(64) } });
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ id: 'payload-too-large', data: { limit: D.clientDataBytes, path: 'clientData' } });
    const half = { a: kib(40) };
    const event = (await api('POST', '/events', { streamIds: ['s'], type: 'note/txt', content: 'c', clientData: half })).body.event;
    const merged = await api('PUT', `/events/${event.id}`, { clientData: { b: kib(40) } });
    expect(merged.status).toBe(413);
    expect(merged.body.error).toMatchObject({ id: 'payload-too-large', data: { limit: D.clientDataBytes, path: 'update.clientData' } });
    expect((await api('GET', `/events/${event.id}`)).body.event.clientData).toEqual(half);
    // Replacing a key keeps the size down: the merged object is what counts.
    expect((await api('PUT', `/events/${event.id}`, { clientData: { a: kib(50) } })).status).toBe(200);
  });

  it('content: 1 MiB serialized, answered 413 with the limit and the path', async () => {
    const { api } = await account();
    const res = await api('POST', '/events', { streamIds: ['s'], type: 'my-class/big', content: 'x'.repeat(D.contentBytes) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ id: 'payload-too-large', data: { limit: D.contentBytes, path: 'content' } });
  });

  it('a size refusal mixed with another error is one 400 listing both, the size issue with its limit', async () => {
    const { api } = await account();
    const res = await api('POST', '/streams', { name: 7, clientData: { a: kib(65) } });
    expect(res.status).toBe(400);
    expect(res.body.error.data).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'name' }),
      expect.objectContaining({ path: 'clientData', code: 'max_json_bytes', limit: D.clientDataBytes }),
    ]));
  });
});

describe('operator settings', () => {
  it('each limit follows its variable', async () => {
    const vars = {
      MAX_SKIP: '10', MAX_LIMIT: '20', MAX_NAME_LENGTH: '5', MAX_ID_LENGTH: '8', MAX_CLIENT_DATA_BYTES: '100', MAX_CONTENT_BYTES: '50', MAX_BATCH_CALLS: '2',
    };
    const { api, username, token } = await account(vars);
    expect((await api('GET', '/events?skip=10&limit=20')).status).toBe(200);
    expect((await api('GET', '/events?skip=11')).body.error.data[0]).toMatchObject({ path: 'skip', limit: 10 });
    expect((await api('GET', '/events?limit=21')).body.error.data[0]).toMatchObject({ path: 'limit', limit: 20 });
    expect((await api('POST', '/streams', { name: 'sixsix' })).body.error.data[0]).toMatchObject({ path: 'name', limit: 5 });
    expect((await api('GET', '/events/ninechars')).body.error.data[0]).toMatchObject({ path: 'id', limit: 8 });
    expect((await api('POST', '/streams', { name: 'c', clientData: { a: 'x'.repeat(100) } })).body.error.data).toEqual({ limit: 100, path: 'clientData' });
    expect((await api('POST', '/events', { streamIds: ['s'], type: 'a/b', content: 'x'.repeat(50) })).body.error.data).toEqual({ limit: 50, path: 'content' });
    const three = Array.from({ length: 3 }, () => ({ method: 'getAccessInfo', params: {} }));
    const res = await call('POST', `/${username}/`, { token, body: three, vars });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ id: 'invalid-parameters-format', data: { limit: 2 } });
    // Without the settings, the same requests are accepted.
    expect(await batch(username, token, three)).toHaveLength(3);
  });

  it('a setting that is not a whole number from 1 to its ceiling keeps the default', () => {
    for (const [key, name] of Object.entries(LIMIT_VARS) as [keyof typeof D, string][]) {
      for (const bad of ['0', '-3', '2.5', 'lots', '1e400']) {
        expect(readConfig({ ...env, [name]: bad }).limits[key], `${name}=${bad}`).toBe(D[key]);
      }
      expect(readConfig({ ...env, [name]: '7' }).limits[key]).toBe(7);
    }
    expect(readConfig({ ...env, MAX_JSON_DEPTH: '100000' }).limits.jsonDepth).toBe(D.jsonDepth);
  });
});
