import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/core/limits';
import { BODY_LIMIT } from '../src/api/request-body';
import { batch, call, newUser } from './helpers';

/**
 * Every JSON a client sends goes through one reader: nesting depth, `__proto__` keys and unpaired surrogates
 * are refused with the path named.
 */
const DEPTH = DEFAULT_LIMITS.jsonDepth;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** `levels` arrays around 1: `nest(2)` is `[[1]]`. */
const nest = (levels: number): unknown => {
  let x: unknown = 1;
  for (let i = 0; i < levels; i++) x = [x];
  return x;
};

const streamsOf = async (username: string, token: string) => (await call('GET', `/${username}/streams?state=all`, { token })).body.streams;

describe('JSON nesting depth (operator limit, 64 by default)', () => {
  it('stores a value nested exactly to the limit unchanged, and refuses one level more with the limit and the path', async () => {
    const { username, token } = await newUser('depth');
    // The body is one level, clientData a second: the innermost array sits at DEPTH.
    const ok = await call('POST', `/${username}/streams`, { token, body: { id: 'deep', name: 'deep', clientData: { a: nest(DEPTH - 2) } } });
    expect(ok.status).toBe(201);
    expect(ok.body.stream.clientData).toEqual({ a: nest(DEPTH - 2) });
    const res = await call('POST', `/${username}/streams`, { token, body: { name: 'deeper', clientData: { a: nest(DEPTH - 1) } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      id: 'invalid-request-structure',
      data: { limit: DEPTH, path: ['clientData', 'a', ...Array(DEPTH - 2).fill('0')].join('.') },
    });
    expect((await streamsOf(username, token)).map((s: { id: string }) => s.id)).toEqual(['deep']);
  });

  it('refuses 10,000 nested arrays in clientData (a 500 before) and leaves the account readable', async () => {
    const { username, token } = await newUser('depth');
    const text = `{"name":"n","clientData":{"a":${'['.repeat(10_000)}1${']'.repeat(10_000)}}}`;
    const res = await call('POST', `/${username}/streams`, { token, body: text });
    expect(res.status).toBe(400);
    expect(res.body.error.data.limit).toBe(DEPTH);
    expect(await streamsOf(username, token)).toEqual([]);
  });

  it('refuses a body of nothing but "[" up to the 10 MB limit with 400, not a stack overflow', async () => {
    const { username, token } = await newUser('depth');
    const res = await call('POST', `/${username}/`, { token, body: '['.repeat(BODY_LIMIT) });
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe('invalid-request-structure');
  });

  it('applies to a PUT body, a _json form field, a JSON query param and a streams string inside a batch', async () => {
    const { username, token } = await newUser('depth');
    await call('POST', `/${username}/streams`, { token, body: { id: 's', name: 's' } });
    const tooDeep = JSON.stringify(nest(DEPTH + 1));
    const put = await call('PUT', `/${username}/streams/s`, { token, body: `{"clientData":{"a":${tooDeep}}}` });
    expect(put.body.error.data.path).toMatch(/^update\.clientData\.a\.0/);
    const form = await call('POST', `/${username}/streams`, { headers: FORM, body: new URLSearchParams({ _auth: token, _json: tooDeep }).toString() });
    const query = await call('GET', `/${username}/events?streams=${encodeURIComponent(tooDeep)}`, { token });
    expect(query.body.error.data.path).toMatch(/^streams\.0/);
    for (const res of [put, form, query]) {
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ id: 'invalid-request-structure', data: { limit: DEPTH } });
    }
    const [inBatch] = await batch(username, token, [{ method: 'events.get', params: { streams: tooDeep } }]);
    expect(inBatch.error).toMatchObject({ id: 'invalid-request-structure', data: { limit: DEPTH, path: expect.stringMatching(/^streams\.0/) } });
  });

  it('follows the MAX_JSON_DEPTH setting', async () => {
    const { username, token } = await newUser('depth');
    const vars = { MAX_JSON_DEPTH: '4' };
    const ok = await call('POST', `/${username}/streams`, { token, vars, body: { name: 'a', clientData: { a: nest(2) } } });
    expect(ok.status).toBe(201);
    const res = await call('POST', `/${username}/streams`, { token, vars, body: { name: 'b', clientData: { a: nest(3) } } });
    expect(res.body.error).toMatchObject({ id: 'invalid-request-structure', data: { limit: 4, path: 'clientData.a.0.0' } });
  });
});

describe('__proto__ keys', () => {
  it('are refused wherever they appear, with 400 naming the key path, and nothing is stored', async () => {
    const { username, token } = await newUser('proto');
    await call('POST', `/${username}/streams`, { token, body: { id: 's', name: 's', clientData: { keep: 1 } } });
    const cases: [string, string, string, string][] = [
      ['POST', 'streams', '{"name":"x","__proto__":{"admin":true}}', '__proto__'],
      ['POST', 'streams', '{"name":"x","clientData":{"a":[{"__proto__":1}]}}', 'clientData.a.0.__proto__'],
      ['POST', 'events', '{"streamIds":["s"],"type":"note/txt","content":"c","clientData":{"\\u005f_proto__":{}}}', 'clientData.__proto__'],
      ['PUT', 'streams/s', '{"clientData":{"__proto__":{"x":1}}}', 'update.clientData.__proto__'],
      ['POST', '', '[{"method":"streams.create","params":{"name":"x","__proto__":{}}}]', '0.params.__proto__'],
    ];
    for (const [verb, path, body, where] of cases) {
      const res = await call(verb, `/${username}/${path}`, { token, body });
      expect(res.status, body).toBe(400);
      expect(res.body.error).toMatchObject({ id: 'invalid-parameters-format', data: [{ code: 'reserved_key', path: where }] });
    }
    const query = await call('GET', `/${username}/events?streams=${encodeURIComponent('{"any":["s"],"__proto__":[]}')}`, { token });
    expect(query.body.error).toMatchObject({ id: 'invalid-parameters-format', data: [{ path: 'streams.__proto__' }] });
    const streams = await streamsOf(username, token);
    expect(streams).toHaveLength(1);
    expect(streams[0].clientData).toEqual({ keep: 1 });
    expect((await call('GET', `/${username}/events`, { token })).body.events).toEqual([]);
  });

  it('are ordinary text inside string values', async () => {
    const { username, token } = await newUser('proto');
    const res = await call('POST', `/${username}/streams`, { token, body: { name: '__proto__', clientData: { note: '"__proto__":{}' } } });
    expect(res.status).toBe(201);
    expect(res.body.stream).toMatchObject({ name: '__proto__', clientData: { note: '"__proto__":{}' } });
  });
});

describe('unpaired surrogate escapes', () => {
  it('are refused in names, values and keys with 400 naming the path (D1 stored them as invalid UTF-8, read back as U+FFFD)', async () => {
    const { username, token } = await newUser('utf');
    const cases: [string, string][] = [
      ['{"name":"a\\ud800b"}', 'name'],
      ['{"name":"n","clientData":{"k":["ok","\\udc00"]}}', 'clientData.k.1'],
      ['{"name":"n","clientData":{"\\udbff":1}}', 'clientData.\udbff'],
    ];
    for (const [body, where] of cases) {
      const res = await call('POST', `/${username}/streams`, { token, body });
      expect(res.status, body).toBe(400);
      expect(res.body.error).toMatchObject({ id: 'invalid-parameters-format', data: [{ code: 'unicode', path: where }] });
    }
    expect(await streamsOf(username, token)).toEqual([]);
  });

  it('are accepted in pairs, and an escaped backslash before "u" is no escape at all', async () => {
    const { username, token } = await newUser('utf');
    const res = await call('POST', `/${username}/streams`, { token, body: '{"name":"\\ud83d\\ude00","clientData":{"path":"C:\\\\ud800"}}' });
    expect(res.status).toBe(201);
    expect(res.body.stream).toMatchObject({ name: '😀', clientData: { path: 'C:\\ud800' } });
  });
});
