import { describe, expect, it } from 'vitest';
import { BENCH_HEADERS } from '../src/bench/instrument';
import { waitForAuditRows } from './audit-fixtures';
import { call, newUser } from './helpers';

/** A batch through the bench-mode Worker, which reports its D1 round trips in a header. */
async function countedBatch(username: string, token: string, body: unknown[]) {
  const res = await call('POST', `/${username}/`, { token, body, vars: { BENCH: '1' } });
  expect(res.status).toBe(200);
  return { results: res.body.results as any[], d1: Number(res.headers.get(BENCH_HEADERS.d1)) };
}

async function userWithStreams() {
  const { username, token } = await newUser('batchrt');
  const streams = ['a', 'b'].map((id) => ({ method: 'streams.create', params: { id, name: id } }));
  const res = await call('POST', `/${username}/`, { token, body: streams });
  expect(res.body.results.every((r: any) => r.stream)).toBe(true);
  // Warm: the access touched and the stream tree cached, as in a running Worker.
  await call('GET', `/${username}/events`, { token });
  return { username, token };
}

const create = (params: Record<string, unknown>) => ({ method: 'events.create', params: { type: 'note/txt', content: 'x', ...params } });
const get = (params: Record<string, unknown> = {}) => ({ method: 'events.get', params });

describe('callBatch round trips (decision 022)', () => {
  it('runs 5 events.get and 5 events.create in at most 2 D1 round trips', async () => {
    const { username, token } = await userWithStreams();
    const body = [0, 1, 2, 3, 4].flatMap((i) => [get({ streams: ['a'], limit: 5 }), create({ streamIds: ['a'], content: `n${i}` })]);
    const { results, d1 } = await countedBatch(username, token, body);
    expect(d1).toBeLessThanOrEqual(2);
    expect(results.filter((r) => r.event)).toHaveLength(5);
    // Each events.get saw the creates before it, in order.
    expect(results.filter((r) => r.events).map((r) => r.events.length)).toEqual([0, 1, 2, 3, 4]);
  });

  it('runs 1,000 events.create in at most 2 D1 round trips, with their stream links and tags', async () => {
    const { username, token } = await userWithStreams();
    const body = Array.from({ length: 1000 }, (_, i) => create({ streamIds: i % 2 ? ['a'] : ['a', 'b'], tags: [`t${i % 3}`], time: 1_000_000 + i + 0.125 }));
    const { results, d1 } = await countedBatch(username, token, body);
    expect(d1).toBeLessThanOrEqual(2);
    expect(results.filter((r) => r.event)).toHaveLength(1000);
    const inB = await call('GET', `/${username}/events?streams[]=b&limit=1000&tags[]=t0`, { token });
    expect(inB.body.events).toHaveLength(167);
    expect(inB.body.events[0]).toMatchObject({ streamIds: ['a', 'b'], tags: ['t0'], time: 1_000_996.125 });
  });

  it('keeps going after failing calls in the middle: each failure is inline and undoes nothing else', async () => {
    const { username, token } = await userWithStreams();
    const { results } = await countedBatch(username, token, [
      create({ id: 'cdup000000000000000000001', streamIds: ['a'], content: 'first' }),
      create({ id: 'cdup000000000000000000001', streamIds: ['a'], content: 'same id' }),
      create({ streamIds: ['nope'] }),
      create({ streamIds: ['a'], type: 'mass/kg', content: 'not a number' }),
      create({ streamIds: ['b'], content: 'last' }),
      get({ limit: 10 }),
    ]);
    expect(results[0].event.content).toBe('first');
    expect(results[1].error.id).toBe('item-already-exists');
    expect(results[2].error.id).toBe('unknown-referenced-resource');
    expect(results[3].error.id).toBe('invalid-parameters-format');
    expect(results[4].event.content).toBe('last');
    expect(results[5].events.map((e: any) => e.content).sort()).toEqual(['first', 'last']);
    const after = await call('GET', `/${username}/events`, { token });
    expect(after.body.events.map((e: any) => e.content).sort()).toEqual(['first', 'last']);
  });

  it('sees, in order, the changes of calls that do not share the round trip (update between creates and gets)', async () => {
    const { username, token } = await userWithStreams();
    const id = 'cupd000000000000000000001';
    const { results } = await countedBatch(username, token, [
      create({ id, streamIds: ['a'], content: 'v1' }),
      get({ streams: ['a'] }),
      { method: 'events.update', params: { id, update: { content: 'v2' } } },
      get({ streams: ['a'] }),
      create({ streamIds: ['b'], content: 'other' }),
      { method: 'events.getOne', params: { id } },
    ]);
    expect(results[1].events.map((e: any) => e.content)).toEqual(['v1']);
    expect(results[2].event.content).toBe('v2');
    expect(results[3].events.map((e: any) => e.content)).toEqual(['v2']);
    expect(results[4].event.content).toBe('other');
    expect(results[5].event.content).toBe('v2');
  });

  it('refuses a duplicate id within the same round trip and keeps the rest of it', async () => {
    const { username, token } = await userWithStreams();
    const ids = ['cdupa00000000000000000001', 'cdupb00000000000000000001'];
    const { results } = await countedBatch(username, token, [
      create({ id: ids[0], streamIds: ['a'] }),
      create({ id: ids[1], streamIds: ['a'] }),
      create({ id: ids[0], streamIds: ['b'] }),
      create({ streamIds: ['b'], content: 'after' }),
    ]);
    expect(results.map((r) => r.error?.id ?? 'ok')).toEqual(['ok', 'ok', 'item-already-exists', 'ok']);
    const inB = await call('GET', `/${username}/events?streams[]=b`, { token });
    expect(inB.body.events.map((e: any) => e.content)).toEqual(['after']);
  });

  it('stores events created together exactly as events created one by one (every field, links, running state)', async () => {
    const { username, token } = await userWithStreams();
    const shapes: Record<string, unknown>[] = [
      { streamIds: ['a', 'b'], type: 'mass/kg', content: 72.5, time: 1_700_000_000.25, tags: ['x', 'y'] },
      { streamIds: ['b'], type: 'activity/plain', duration: 3600, time: 1_700_000_100, description: 'walk', clientData: { k: { n: 1 } } },
      { streamIds: ['a'], type: 'activity/plain', duration: null, time: 1_700_000_200, trashed: true },
      { streamIds: ['a'], type: 'note/txt', content: 'é"\\ \u0000 end', time: 1_700_000_300 },
    ];
    const alone = [];
    for (const params of shapes) alone.push((await call('POST', `/${username}/events`, { token, body: params })).body.event);
    const { results } = await countedBatch(username, token, shapes.map((params) => ({ method: 'events.create', params })));
    const strip = ({ id, created, modified, ...rest }: any) => rest;
    const read = async (id: string) => strip((await call('GET', `/${username}/events/${id}`, { token })).body.event);
    for (let i = 0; i < shapes.length; i++) {
      expect(await read(results[i].event.id)).toEqual(await read(alone[i].id));
      expect(strip(results[i].event)).toEqual(strip(alone[i]));
    }
    const running = await call('GET', `/${username}/events?running=true&state=all`, { token });
    expect(running.body.events).toHaveLength(2);
    const window = await call('GET', `/${username}/events?fromTime=1700003000&toTime=1700003100&streams[]=b`, { token });
    expect(window.body.events).toHaveLength(2);
  });

  it('keeps the audit records in call order when a call fails before an earlier one has its answer', async () => {
    const { username, token } = await userWithStreams();
    await countedBatch(username, token, [
      create({ streamIds: ['a'] }),
      create({ streamIds: ['a'], unexpected: true }),
      get(),
    ]);
    const rows = await waitForAuditRows(username, 6);
    expect(rows.slice(-3).map((r) => [r.methodId, r.errorId])).toEqual([
      ['events.create', null],
      ['events.create', 'invalid-parameters-format'],
      ['events.get', null],
    ]);
  });
});
