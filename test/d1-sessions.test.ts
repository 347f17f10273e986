import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { isBookmark } from '../src/storage/sessions';
import { plantStreams } from './access-fixtures';
import { call, newUser } from './helpers';
import { accountD1, shardOf } from './db-fixtures';

/** A shard recording where each request's D1 session started. */
function recordingDb(starts: (string | undefined)[], shard: D1Database): D1Database {
  return new Proxy(shard, {
    get(target, prop) {
      if (prop === 'withSession') {
        return (start?: string) => {
          starts.push(start);
          return target.withSession(start);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as Function).bind(target) : value;
    },
  });
}

async function userWithStream() {
  const u = await newUser('sess');
  await plantStreams(u.username, [['s', null]]);
  return u;
}

const createEvent = (username: string, token: string, headers: Record<string, string> = {}, vars = {}) =>
  call('POST', `/${username}/events`, { token, headers, vars, body: { streamIds: ['s'], type: 'note/txt', content: 'hello' } });

/** The setting of shards with read replication enabled (decision 033); the tests' default is off, as in wrangler.toml. */
const REPLICATION_ON = { D1_READ_REPLICATION: 'on' };

describe('D1 Sessions API (read replication, decision 025)', () => {
  it('a read starts its session on the nearest replica, a write on the primary, and a client bookmark is where a read starts', async () => {
    const { username, token } = await userWithStream();
    const starts: (string | undefined)[] = [];
    const recording = { ...REPLICATION_ON, [await shardOf(username)]: recordingDb(starts, await accountD1(username)) };
    expect((await call('GET', `/${username}/events`, { token, vars: recording })).status).toBe(200);
    expect(starts).toEqual(['first-unconstrained']);
    const created = await createEvent(username, token, {}, recording);
    expect(created.status).toBe(201);
    expect(starts).toEqual(['first-unconstrained', 'first-primary']);
    const bookmark = created.headers.get('Pryv-Bookmark')!;
    expect((await call('GET', `/${username}/events`, { token, vars: recording, headers: { 'Pryv-Bookmark': bookmark } })).status).toBe(200);
    expect(starts[2]).toBe(bookmark);
    // A write ignores the client's bookmark: the primary is at least as fresh.
    expect((await createEvent(username, token, { 'Pryv-Bookmark': bookmark }, recording)).status).toBe(201);
    expect(starts[3]).toBe('first-primary');
  });

  it('without read replication (the default setting) no request opens a session: everything reads the primary, no bookmark is returned, a client\'s is accepted', async () => {
    const { username, token } = await userWithStream();
    const starts: (string | undefined)[] = [];
    const recording = { [await shardOf(username)]: recordingDb(starts, await accountD1(username)) };
    const created = await createEvent(username, token, {}, recording);
    expect(created.status).toBe(201);
    expect(created.headers.has('Pryv-Bookmark')).toBe(false);
    const read = await call('GET', `/${username}/events`, { token, vars: recording });
    expect(read.status).toBe(200);
    expect(read.headers.has('Pryv-Bookmark')).toBe(false);
    // The write is seen without any bookmark: there is only the primary.
    expect(read.body.events.map((e: { id: string }) => e.id)).toContain(created.body.event.id);
    // A bookmark from a time the setting was on is still a valid header, with nothing to wait for.
    const bookmark = (await call('GET', `/${username}/events`, { token, vars: REPLICATION_ON })).headers.get('Pryv-Bookmark')!;
    expect(isBookmark(bookmark)).toBe(true);
    const bookmarked = await call('GET', `/${username}/events`, { token, vars: recording, headers: { 'Pryv-Bookmark': bookmark } });
    expect(bookmarked.status).toBe(200);
    expect(bookmarked.headers.has('Pryv-Bookmark')).toBe(false);
    expect(starts).toEqual([]);
  });

  it('with read replication, every answer under a user root carries the request bookmark, refusals included, and bookmarks only move forward', async () => {
    const { username, token } = await userWithStream();
    const read = await call('GET', `/${username}/events`, { token, vars: REPLICATION_ON });
    const first = read.headers.get('Pryv-Bookmark')!;
    expect(isBookmark(first)).toBe(true);
    const write = await createEvent(username, token, {}, REPLICATION_ON);
    const second = write.headers.get('Pryv-Bookmark')!;
    expect(isBookmark(second)).toBe(true);
    expect(second > first).toBe(true);
    const refused = await call('GET', `/${username}/events`, { token: 'not-a-token', vars: REPLICATION_ON });
    expect(refused.status).toBe(403);
    expect(isBookmark(refused.headers.get('Pryv-Bookmark')!)).toBe(true);
  });

  it('a bookmark round trip: the write\'s bookmark sent on the next read gives a read that sees the write, and a bookmark at least as new', async () => {
    const { username, token } = await userWithStream();
    const created = await createEvent(username, token, {}, REPLICATION_ON);
    const bookmark = created.headers.get('Pryv-Bookmark')!;
    const read = await call('GET', `/${username}/events`, { token, vars: REPLICATION_ON, headers: { 'Pryv-Bookmark': bookmark } });
    expect(read.status).toBe(200);
    expect(read.body.events.map((e: { id: string }) => e.id)).toContain(created.body.event.id);
    expect(read.headers.get('Pryv-Bookmark')! >= bookmark).toBe(true);
  });

  it('reads in one callBatch see the writes made before them in the same batch', async () => {
    const { username, token } = await userWithStream();
    const res = await call('POST', `/${username}/`, {
      token,
      vars: REPLICATION_ON,
      body: [
        { method: 'events.create', params: { streamIds: ['s'], type: 'note/txt', content: 'in batch' } },
        { method: 'events.get', params: {} },
      ],
    });
    expect(res.status).toBe(200);
    const [created, listed] = res.body.results;
    expect(listed.events.map((e: { id: string }) => e.id)).toEqual([created.event.id]);
    expect(isBookmark(res.headers.get('Pryv-Bookmark')!)).toBe(true);
  });

  it('a Pryv-Bookmark that is not a D1 bookmark is a 400, never passed to D1', async () => {
    const { username, token } = await userWithStream();
    for (const bad of ['yesterday', '00000001-0000000a', 'first-primary', `${'0'.repeat(8)}-${'0'.repeat(8)}-${'0'.repeat(8)}-${'g'.repeat(32)}`]) {
      const res = await call('GET', `/${username}/events`, { token, headers: { 'Pryv-Bookmark': bad } });
      expect(res.status).toBe(400);
      expect(res.body.error.id).toBe('invalid-request-structure');
    }
  });

  it('the browser may send and read the bookmark: CORS allows and exposes Pryv-Bookmark', async () => {
    const res = await call('OPTIONS', '/someone/events', { headers: { Origin: 'https://app.example' } });
    expect(res.headers.get('Access-Control-Allow-Headers')).toContain('Pryv-Bookmark');
    const get = await call('GET', '/reg/service/info', { headers: { Origin: 'https://app.example' } });
    expect(get.headers.get('Access-Control-Expose-Headers')).toContain('Pryv-Bookmark');
  });
});
