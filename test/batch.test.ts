import { describe, expect, it } from 'vitest';
import { call, newUser } from './helpers';

const accessInfo = { method: 'getAccessInfo', params: {} };

describe('callBatch (§2.12)', () => {
  it('accepts an empty array: 200 {"results":[],"meta":…}', async () => {
    const { username, token } = await newUser('batch');
    const res = await call('POST', `/${username}`, { token, body: [] });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^\{"results":\[\],"meta":\{/);
  });

  it('is served at U and U/ alike', async () => {
    const { username, token } = await newUser('batch');
    expect((await call('POST', `/${username}`, { token, body: [accessInfo] })).status).toBe(200);
    expect((await call('POST', `/${username}/`, { token, body: [accessInfo] })).status).toBe(200);
  });

  it('runs calls in order; a failing call gives an inline error and the following calls still run', async () => {
    const { username, token } = await newUser('batch');
    const res = await call('POST', `/${username}/`, {
      token,
      body: [accessInfo, { method: 'getAccessInfo', params: { unexpected: 1 } }, { method: 'nope', params: {} }, accessInfo],
    });
    expect(res.status).toBe(200);
    const { results } = res.body;
    expect(results).toHaveLength(4);
    expect(results[0]).toMatchObject({ type: 'personal', user: { username } });
    expect(results[0].meta).toBeUndefined();
    expect(results[1].error).toMatchObject({ id: 'invalid-parameters-format', data: [expect.objectContaining({ path: 'unexpected' })] });
    expect(results[2]).toEqual({ error: { id: 'invalid-method', message: expect.any(String) } });
    expect(results[3]).toMatchObject({ type: 'personal' });
    expect(Object.keys(res.body)).toEqual(['results', 'meta']);
  });

  it('answers unknown, HTTP-only and nested-batch methods with inline invalid-method', async () => {
    const { username, token } = await newUser('batch');
    const ids = ['unknown.method', 'callBatch', 'auth.login', 'auth.logout', 'auth.register', 'service.info', 'auth.hostings'];
    const res = await call('POST', `/${username}/`, { token, body: ids.map((method) => ({ method, params: {} })) });
    expect(res.body.results.map((r: any) => r.error?.id)).toEqual(ids.map(() => 'invalid-method'));
  });

  it('answers removed methods with inline removed-method and unshipped ones with inline unavailable-method', async () => {
    const { username, token } = await newUser('batch');
    const res = await call('POST', `/${username}/`, {
      token,
      body: [{ method: 'events.start', params: {} }, { method: 'events.stop', params: {} }, { method: 'hfs.create', params: {} }],
    });
    expect(res.body.results.map((r: any) => r.error?.id)).toEqual(['removed-method', 'removed-method', 'unavailable-method']);
  });

  it('refuses more than 1,000 calls as a whole: 400 with data.limit and no results', async () => {
    const { username, token } = await newUser('batch');
    const res = await call('POST', `/${username}/`, { token, body: Array.from({ length: 1001 }, () => accessInfo) });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ id: 'invalid-parameters-format', data: { limit: 1000 } });
    expect(res.body.results).toBeUndefined();
  });

  it('refuses a body that is not an array, or an item without method or params, as a whole (400, no results)', async () => {
    const { username, token } = await newUser('batch');
    for (const body of [{ method: 'getAccessInfo', params: {} }, [{ method: 'getAccessInfo' }], [{ params: {} }], [accessInfo, 'x'], [{ method: 1, params: {} }]]) {
      const res = await call('POST', `/${username}/`, { token, body });
      expect(res.status).toBe(400);
      expect(res.body.error.id).toBe('invalid-parameters-format');
      expect(res.body.results).toBeUndefined();
    }
  });

  it('authenticates once for the whole batch: no token 401, unknown token 403, unknown user 404', async () => {
    const { username } = await newUser('batch');
    expect((await call('POST', `/${username}/`, { body: [accessInfo] })).status).toBe(401);
    expect((await call('POST', `/${username}/`, { token: 'nope', body: [accessInfo] })).status).toBe(403);
    expect((await call('POST', '/nobody1/', { token: 'nope', body: [accessInfo] })).status).toBe(404);
  });

  it('runs 1,000 calls (the client chunk size)', async () => {
    const { username, token } = await newUser('batch');
    const res = await call('POST', `/${username}/`, { token, body: Array.from({ length: 1000 }, () => accessInfo) });
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(1000);
  });
});
