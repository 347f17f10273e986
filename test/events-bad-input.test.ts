import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/core/limits';
import { call, newUser } from './helpers';

const JSON_DEPTH = DEFAULT_LIMITS.jsonDepth;

describe('bad input gets a 4xx with an error id and leaves data untouched', () => {
  it('odd ids, odd times, deep JSON and unknown fields', async () => {
    const u = await newUser('badin');
    const api = (method: string, path: string, body?: unknown) => call(method, `/${u.username}${path}`, { token: u.token, body });
    await api('POST', '/streams', { id: 'a', name: 'a' });
    const e = (await api('POST', '/events', { streamIds: ['a'], type: 'note/txt', content: 'keep' })).body.event;
    const snapshot = async () => [(await api('GET', '/events?state=all&includeDeletions=true')).text.replace(/"meta".*/, ''), (await api('GET', '/streams?state=all')).text.replace(/"meta".*/, '')];
    const before = await snapshot();
    const odd = [' a ', "a' OR '1'='1", 'a"; DROP TABLE events; --', 'x'.repeat(10_000), '%FF%FE', '..%2F..%2Fetc'];
    const requests: [string, string, unknown?][] = [
      ...odd.map((id) => ['GET', `/events/${encodeURIComponent(id)}`] as [string, string]),
      ...odd.map((id) => ['PUT', `/events/${encodeURIComponent(id)}`, { content: 'x' }] as [string, string, unknown]),
      ...odd.map((id) => ['DELETE', `/streams/${encodeURIComponent(id)}`] as [string, string]),
      ['GET', '/events/%FF%FE'],
      ['POST', '/events', { streamIds: odd, type: 'note/txt', content: 'x' }],
      ['POST', '/events', { streamIds: ['a'], type: "note/txt'; --", content: 'x' }],
      ['POST', '/streams', { id: 'y'.repeat(10_000), name: 'n' }],
      ['POST', '/streams', { name: 'z'.repeat(501) }],
      ['GET', '/events?fromTime=NaN'],
      ['GET', '/events?fromTime=1e999'],
      ['GET', '/events?limit=-1'],
      ['GET', '/events?skip=1.5'],
      ['GET', `/events?streams=${encodeURIComponent("a' OR 1=1")}`],
      ['POST', '/events', { streamIds: ['a'], type: 'note/txt', content: 'x', time: 'yesterday' }],
      ['PUT', `/events/${e.id}`, { time: null }],
      ['PUT', `/events/${e.id}`, { unknownField: 1 }],
      ['PUT', `/events/${e.id}`, { streamIds: Array.from({ length: 101 }, (_, i) => `s${i}`) }],
      ['PUT', `/events/${e.id}`, { tags: Array.from({ length: 101 }, (_, i) => `t${i}`) }],
      ['PUT', '/streams/a', { parentId: '' }],
    ];
    for (const [method, path, body] of requests) {
      const res = await api(method, path, body);
      expect(res.status, `${method} ${path.slice(0, 60)} → ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path.slice(0, 60)}`).toBeLessThan(500);
      expect(res.body.error.id).toBeTruthy();
    }
    expect(await snapshot()).toEqual(before);
    // Negative times are ordinary timestamps.
    expect((await api('GET', '/events?fromTime=-100&toTime=-1')).status).toBe(200);
    // Content of an unknown type nested up to the JSON depth limit (the body itself is one level) is stored
    // as given; one level more is refused.
    const nest = (levels: number) => { let x: unknown = 1; for (let i = 0; i < levels; i++) x = [x]; return x; };
    const nested = await api('POST', '/events', { streamIds: ['a'], type: 'my-class/deep', content: nest(JSON_DEPTH - 1) });
    expect(nested.status).toBe(201);
    expect((await api('GET', `/events/${nested.body.event.id}`)).body.event.content).toEqual(nest(JSON_DEPTH - 1));
    const tooDeep = await api('POST', '/events', { streamIds: ['a'], type: 'my-class/deep', content: nest(JSON_DEPTH) });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.error).toMatchObject({ id: 'invalid-request-structure', data: { limit: JSON_DEPTH } });
  });
});
