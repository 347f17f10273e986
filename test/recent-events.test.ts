import { describe, expect, it } from 'vitest';
import { BENCH_HEADERS } from '../src/bench/instrument';
import { userWithApp } from './access-fixtures';
import { accountD1, userRow } from './db-fixtures';
import { call } from './helpers';

/**
 * events.update from this isolate's copy of an event it just wrote (decision 034): one D1 round trip instead of
 * two, and a copy that is behind the row never decides anything: the write's revision guard catches it, and
 * the update is decided again on the row.
 */

/** An update through the bench-mode Worker, which reports its D1 round trips in a header. */
async function update(username: string, token: string, id: string, body: unknown) {
  const res = await call('PUT', `/${username}/events/${id}`, { token, body, vars: { BENCH: '1' } });
  return { res, d1: Number(res.headers.get(BENCH_HEADERS.d1)) };
}

async function eventIn(username: string, token: string, streamIds: string[]) {
  const res = await call('POST', `/${username}/events`, { token, body: { streamIds, type: 'note/txt', content: 'first' } });
  expect(res.status).toBe(201);
  return res.body.event.id as string;
}

/** A change made behind this isolate's back, as another isolate or a stream deletion would make it. */
async function changeRow(username: string, id: string, set: string, ...values: unknown[]) {
  const user = await userRow(username);
  await (await accountD1(username)).prepare(`UPDATE events SET ${set}, rev = rev + 1 WHERE user_id = ? AND id = ?`).bind(...values, user.id, id).run();
  return user.id;
}

describe('events.update from the copy of an event this isolate wrote (decision 034)', () => {
  it('costs two D1 round trips the first time, then one while the copy is current', async () => {
    const { username, token } = await userWithApp();
    const id = await eventIn(username, token, ['a']);
    const first = await update(username, token, id, { content: 'second' });
    expect(first.res.status).toBe(200);
    expect(first.d1).toBe(2);
    const again = await update(username, token, id, { content: 'third', tags: ['x'] });
    expect(again.res.status).toBe(200);
    expect(again.d1).toBe(1);
    expect(again.res.body.event).toMatchObject({ id, content: 'third', tags: ['x'], streamIds: ['a'] });
    const read = await call('GET', `/${username}/events/${id}`, { token });
    expect(read.body.event).toMatchObject({ content: 'third', tags: ['x'] });
  });

  it('an event changed behind the copy is updated from its row: the other change is kept', async () => {
    const { username, token } = await userWithApp();
    const id = await eventIn(username, token, ['a']);
    expect((await update(username, token, id, { content: 'mine' })).res.status).toBe(200);
    await changeRow(username, id, `tags = '["theirs"]', description = 'theirs'`);
    const { res } = await update(username, token, id, { content: 'mine again' });
    expect(res.status).toBe(200);
    expect(res.body.event).toMatchObject({ content: 'mine again', tags: ['theirs'], description: 'theirs' });
    const read = await call('GET', `/${username}/events/${id}`, { token });
    expect(read.body.event).toMatchObject({ content: 'mine again', tags: ['theirs'], description: 'theirs' });
  });

  it('an event deleted behind the copy answers 404 and stays deleted', async () => {
    const { username, token } = await userWithApp();
    const id = await eventIn(username, token, ['a']);
    expect((await update(username, token, id, { content: 'mine' })).res.status).toBe(200);
    await changeRow(username, id, 'deleted = ?', Date.now() / 1000);
    const { res } = await update(username, token, id, { content: 'too late' });
    expect(res.status).toBe(404);
    expect(res.body.error.id).toBe('unknown-resource');
    const user = await userRow(username);
    const row = await (await accountD1(username)).prepare('SELECT content, deleted FROM events WHERE user_id = ? AND id = ?').bind(user.id, id).first<{ content: string; deleted: number | null }>();
    expect(row?.deleted).not.toBeNull();
    expect(row?.content).toBe('"mine"');
  });

  it('a refusal the copy would decide is decided on the row: an event moved into the app\'s stream behind the copy is updated', async () => {
    // The app manages `a` only; the event starts in `b`, and the personal token's update leaves a copy there.
    const { username, token, app } = await userWithApp();
    const id = await eventIn(username, token, ['b']);
    expect((await update(username, token, id, { content: 'in b' })).res.status).toBe(200);
    const userId = await changeRow(username, id, `stream_ids = '["a"]'`);
    const db = await accountD1(username);
    await db.batch([
      db.prepare('DELETE FROM event_streams WHERE user_id = ? AND event_id = ?').bind(userId, id),
      db.prepare(`INSERT INTO event_streams (user_id, stream_id, event_id, time) SELECT user_id, 'a', id, time FROM events WHERE user_id = ? AND id = ?`).bind(userId, id),
    ]);
    const { res } = await update(username, app.token, id, { content: 'by the app' });
    expect(res.status).toBe(200);
    expect(res.body.event).toMatchObject({ streamIds: ['a'], content: 'by the app' });
  });

  it('racing updates from copies lose none of their changes', async () => {
    const { username, token } = await userWithApp();
    const id = await eventIn(username, token, ['a']);
    expect((await update(username, token, id, { clientData: { start: 0 } })).res.status).toBe(200);
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
    const results = await Promise.all(keys.map((k, i) => update(username, token, id, { clientData: { [k]: i } })));
    expect(results.map((r) => r.res.status)).toEqual(keys.map(() => 200));
    const read = await call('GET', `/${username}/events/${id}`, { token });
    expect(read.body.event.clientData).toEqual({ start: 0, k1: 0, k2: 1, k3: 2, k4: 3, k5: 4, k6: 5 });
  });
});
