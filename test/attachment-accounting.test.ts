// storageUsed.attachedFiles (§4.10), read through the internal query: bytes of the live events' files, kept
// exact by the very batches that add and drop references, concurrent ones included.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { attachedBytesFromEvents, storageUsed } from '../src/storage/account-data';
import { getDb } from '../src/storage/db';
import { accountDb, userRow } from './db-fixtures';
import { formData, patternBytes, postMultipart } from './attachment-fixtures';
import { call, newUser } from './helpers';

let username: string;
let token: string;
let userId: string;
const u = () => `/${username}`;
const used = async () => (await storageUsed(await accountDb(username), userId)).attachedFiles;
const recomputed = async () => attachedBytesFromEvents(await accountDb(username), userId);

beforeAll(async () => {
  ({ username, token } = await newUser('acct'));
  userId = (await userRow(username)).id;
  for (const id of ['docs', 'temp']) await call('POST', `${u()}/streams`, { token, body: { id, name: id } });
});

async function upload(sizes: number[], streamIds = ['docs']) {
  const res = await postMultipart(`${u()}/events`, token, formData({ streamIds, type: 'file/attached' }, sizes.map((n, i) => ({ fileName: `${i}.bin`, bytes: patternBytes(n, i) }))));
  expect(res.status, res.text).toBe(201);
  return res.body.event;
}

describe('storageUsed.attachedFiles', () => {
  it('counts a new account as 0, then follows uploads, trashing (no change) and every kind of deletion', async () => {
    expect(await used()).toBe(0);
    const a = await upload([100, 250]);
    const b = await upload([1000], ['temp']);
    expect(await used()).toBe(1350);
    const added = await postMultipart(`${u()}/events/${a.id}`, token, formData(undefined, [{ fileName: 'more', bytes: patternBytes(50) }]));
    expect(added.status).toBe(200);
    expect(await used()).toBe(1400);
    await call('DELETE', `${u()}/events/${a.id}/${a.attachments[0].id}`, { token });
    expect(await used()).toBe(1300);
    await call('DELETE', `${u()}/events/${a.id}`, { token });
    expect(await used()).toBe(1300);
    await call('DELETE', `${u()}/events/${a.id}`, { token });
    expect(await used()).toBe(1000);
    await call('DELETE', `${u()}/streams/temp`, { token });
    await call('DELETE', `${u()}/streams/temp?mergeEventsWithParent=false`, { token });
    expect(await used()).toBe(0);
    expect(b.attachments[0].size).toBe(1000);
    expect(await recomputed()).toBe(0);
  });

  it('stays exact under concurrent uploads to, and deletions from, the same events', async () => {
    const [x, y] = [await upload([10, 20, 30, 40, 50]), await upload([60, 70, 80, 90, 100])];
    const adds = Array.from({ length: 12 }, (_, i) =>
      postMultipart(`${u()}/events/${(i % 2 ? x : y).id}`, token, formData(undefined, [{ fileName: `n${i}`, bytes: patternBytes(1 + i * 7, i) }])),
    );
    const deletes = [...x.attachments, ...y.attachments].map((f: any, i: number) =>
      call('DELETE', `${u()}/events/${(i < 5 ? x : y).id}/${f.id}`, { token }),
    );
    const answers = await Promise.all([...adds, ...deletes]);
    // Each call either applied or, after losing every retry to the others, answered 409 and changed nothing.
    for (const a of answers) expect([200, 409], a.text).toContain(a.status);
    const events = await Promise.all([x, y].map(async (e) => (await call('GET', `${u()}/events/${e.id}`, { token })).body.event));
    const listed = events.flatMap((e: any) => e.attachments ?? []).reduce((sum: number, f: any) => sum + f.size, 0);
    expect(await used()).toBe(listed);
    expect(await recomputed()).toBe(listed);
  });
});
