// D1 and R2 stay consistent whatever fails between their writes (decision 017): no object without a live
// reference or a journal row, no reference without its object. Each failure point is made to happen for real:
// the D1 write refused after the upload, the access deleted mid-upload, R2 failing after the D1 commit, a
// request that died before attaching its files.
import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../src/index';
import { beforeAll, describe, expect, it } from 'vitest';
import { journalUpload } from '../src/storage/blob-journal';
import { blobKey } from '../src/storage/blobs';
import { sweepBlobs } from '../src/storage/blob-sweep';
import { deleteAccount } from '../src/storage/account-data';
import { getDb } from '../src/storage/db';
import { newId } from '../src/lib/ids';
import { userRow } from './db-fixtures';
import { blobKeys, bytesOf, formData, journalRows, postMultipart } from './attachment-fixtures';
import { createAccess } from './fixtures/accesses';
import { BASE, call, newUser } from './helpers';
import { accountD1ById } from './db-fixtures';

let username: string;
let token: string;
let userId: string;
const u = () => `/${username}`;

beforeAll(async () => {
  ({ username, token } = await newUser('consist'));
  userId = (await userRow(username)).id;
  for (const id of ['docs', 'other']) await call('POST', `${u()}/streams`, { token, body: { id, name: id } });
});

/** Every stored key is referenced by a live event or journaled; every referenced key is stored. */
async function expectConsistent(who = userId) {
  const { results } = await (await accountD1ById(userId)).prepare(
    `SELECT json_extract(a.value, '$.key') AS key FROM events e, json_each(e.attachments) a
     WHERE e.user_id = ?1 AND e.deleted IS NULL AND e.attachments IS NOT NULL`,
  ).bind(who).all<{ key: string }>();
  const referenced = new Set(results.map((r) => r.key));
  const journaled = (await journalRows(who)).map((r) => r.prefix);
  const stored = await blobKeys(`${who}/`);
  for (const key of referenced) expect(stored, `missing blob ${key}`).toContain(key);
  for (const key of stored) expect(referenced.has(key) || journaled.some((p) => key.startsWith(p)), `orphan blob ${key}`).toBe(true);
}

const fileCount = async () => (await blobKeys(`${userId}/`)).length;

/** An R2 binding whose deletes fail (an outage right after the D1 commit); everything else is the real bucket. */
function failingDeletes(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      if (prop === 'delete') return async () => Promise.reject(new Error('R2 unavailable'));
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A multipart create whose body stops in the middle of its file until `meanwhile` has run (journal empty before). */
async function uploadPausedMidFile(auth: string, meanwhile: () => Promise<void>): Promise<{ res: Response }> {
  const enc = new TextEncoder();
  const head = `--B\r\nContent-Disposition: form-data; name="event"\r\n\r\n{"streamIds":["docs"],"type":"file/attached"}\r\n` +
    `--B\r\nContent-Disposition: form-data; name="f"; filename="slow.bin"\r\n\r\nfirst half `;
  let firstTaken!: () => void;
  const taken = new Promise<void>((r) => (firstTaken = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let step = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      step += 1;
      if (step === 1) return c.enqueue(enc.encode(head));
      if (step === 2) {
        firstTaken();
        await gate;
        c.enqueue(enc.encode('second half\r\n--B--\r\n'));
        return;
      }
      c.close();
    },
  });
  const pending = SELF.fetch(`${BASE}${u()}/events`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'multipart/form-data; boundary=B' }, body });
  await taken;
  // The runtime may read ahead of the Worker: wait until the upload is journaled, so the Worker is streaming the file.
  for (let i = 0; (await journalRows(userId)).length === 0; i++) {
    if (i > 400) throw new Error('the upload was never journaled');
    await new Promise((r) => setTimeout(r, 5));
  }
  await meanwhile();
  release();
  return { res: await pending };
}

describe('an upload whose D1 write fails leaves no object', () => {
  it('the event id is taken (409 from the insert, after the file was stored)', async () => {
    const id = `c${newId().slice(0, 24)}`;
    await call('POST', `${u()}/events`, { token, body: { id, streamIds: ['docs'], type: 'note/txt', content: 'first' } });
    const before = await fileCount();
    const res = await postMultipart(`${u()}/events`, token, formData({ id, streamIds: ['docs'], type: 'file/attached' }, [{ fileName: 'a.txt', bytes: bytesOf('x') }], { eventLast: true }));
    expect(res.status).toBe(409);
    expect(await fileCount()).toBe(before);
    expect(await journalRows(userId)).toEqual([]);
    await expectConsistent();
  });

  it('the access may not create there, or the event is invalid (the event part came after the file)', async () => {
    const reader = await createAccess(username, [{ streamId: 'docs', level: 'read' }]);
    const before = await fileCount();
    const forbidden = await postMultipart(`${u()}/events`, reader.token, formData({ streamIds: ['docs'], type: 'file/attached' }, [{ fileName: 'a.txt', bytes: bytesOf('x') }], { eventLast: true }));
    expect(forbidden.status).toBe(403);
    const invalid = await postMultipart(`${u()}/events`, token, formData({ streamIds: ['nowhere'], type: 'file/attached' }, [{ fileName: 'a.txt', bytes: bytesOf('x') }], { eventLast: true }));
    expect(invalid.status).toBe(400);
    expect(await fileCount()).toBe(before);
    await expectConsistent();
  });

  it('the access is deleted while the file is on its way (the guard of the attaching batch refuses it)', async () => {
    const writer = await createAccess(username, [{ streamId: 'docs', level: 'contribute' }]);
    const before = await fileCount();
    const { res } = await uploadPausedMidFile(writer.token, async () => {
      expect((await call('DELETE', `${u()}/accesses/${writer.id}`, { token })).status).toBe(200);
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.id).toBe('invalid-access-token');
    expect(await fileCount()).toBe(before);
    expect(await journalRows(userId)).toEqual([]);
  });

  it('the upload outlived its journal grace period (the sweeper may have taken it): refused, nothing attached', async () => {
    const before = await fileCount();
    const { res } = await uploadPausedMidFile(token, async () => {
      // What a day-long upload looks like to the claim guard: its journal row is due.
      await (await accountD1ById(userId)).prepare('UPDATE blob_cleanup SET due = 0 WHERE user_id = ?1').bind(userId).run();
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.id).toBe('invalid-operation');
    expect(await fileCount()).toBe(before);
    expect(await journalRows(userId)).toEqual([]);
    await expectConsistent();
  });
});

describe('removing references removes the blobs once the D1 batch committed', () => {
  async function eventWithFiles(streamIds = ['docs']) {
    const res = await postMultipart(`${u()}/events`, token, formData({ streamIds, type: 'file/attached' }, [
      { fileName: 'a.txt', bytes: bytesOf('aaa') },
      { fileName: 'b.txt', bytes: bytesOf('bbbb') },
    ]));
    expect(res.status, res.text).toBe(201);
    return res.body.event;
  }
  const stored = async (e: any) => (await blobKeys(`${userId}/`)).filter((k) => e.attachments.some((a: any) => k.endsWith(`/${a.id}`)));

  it('deleting an event for good (not trashing it) deletes its files', async () => {
    const e = await eventWithFiles();
    await call('DELETE', `${u()}/events/${e.id}`, { token });
    expect(await stored(e)).toHaveLength(2);
    await call('DELETE', `${u()}/events/${e.id}`, { token });
    expect(await stored(e)).toEqual([]);
    expect(await journalRows(userId)).toEqual([]);
    await expectConsistent();
  });

  it('deleting a stream with its events deletes their files; events that keep another stream keep theirs', async () => {
    await call('POST', `${u()}/streams`, { token, body: { id: 'doomed', name: 'Doomed' } });
    const gone = await eventWithFiles(['doomed']);
    const kept = await eventWithFiles(['doomed', 'other']);
    await call('DELETE', `${u()}/streams/doomed`, { token });
    const res = await call('DELETE', `${u()}/streams/doomed?mergeEventsWithParent=false`, { token });
    expect(res.status).toBe(200);
    expect(await stored(gone)).toEqual([]);
    expect(await stored(kept)).toHaveLength(2);
    await expectConsistent();
  });

  it('when R2 fails after the commit, the journal keeps the keys and the sweeper deletes them', async () => {
    const e = await eventWithFiles();
    await call('DELETE', `${u()}/events/${e.id}`, { token });
    const res = await call('DELETE', `${u()}/events/${e.id}`, { token, vars: { ATTACHMENTS: failingDeletes(env.ATTACHMENTS) } });
    expect(res.status).toBe(200);
    expect(await stored(e)).toHaveLength(2);
    expect((await journalRows(userId)).map((r) => r.prefix).sort()).toEqual((await stored(e)).sort());
    await expectConsistent();
    await sweepBlobs(env.ATTACHMENTS, getDb(await accountD1ById(userId)), Date.now() / 1000);
    expect(await stored(e)).toEqual([]);
    expect(await journalRows(userId)).toEqual([]);
  });

  it('deleting one attachment while R2 fails leaves it to the sweeper too', async () => {
    const e = await eventWithFiles();
    const res = await call('DELETE', `${u()}/events/${e.id}/${e.attachments[0].id}`, { token, vars: { ATTACHMENTS: failingDeletes(env.ATTACHMENTS) } });
    expect(res.status).toBe(200);
    await expectConsistent();
    await sweepBlobs(env.ATTACHMENTS, getDb(await accountD1ById(userId)), Date.now() / 1000);
    expect(await stored(e)).toHaveLength(1);
    await expectConsistent();
  });
});

describe('the sweeper', () => {
  /** A file stored under a journaled upload whose request died before attaching it. */
  async function abandonedUpload() {
    const db = getDb(await accountD1ById(userId));
    const uploadId = newId();
    const key = blobKey(userId, uploadId, newId());
    const started = Date.now() / 1000;
    await journalUpload(db, userId, uploadId, started);
    await env.ATTACHMENTS.put(key, 'abandoned bytes');
    return { db, key, started };
  }

  it('deletes the files of an upload whose request died before attaching them, once its grace period is over', async () => {
    const { db, key, started } = await abandonedUpload();
    // Still in flight as far as anyone can tell: left alone.
    await sweepBlobs(env.ATTACHMENTS, db, started + 3600);
    expect(await blobKeys(key)).toEqual([key]);
    await sweepBlobs(env.ATTACHMENTS, db, started + 2 * 86_400);
    expect(await blobKeys(key)).toEqual([]);
    expect(await journalRows(userId)).toEqual([]);
  });

  it("runs from the Worker's quarter-hour Cron Trigger (wrangler.toml), not only on the hour", async () => {
    const { key, started } = await abandonedUpload();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: (started + 2 * 86_400) * 1000, cron: '15,30,45 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await blobKeys(key)).toEqual([]);
    expect(await journalRows(userId)).toEqual([]);
  });
});

describe('deleting an account', () => {
  it('deletes its rows in one batch, then every file under its prefix', async () => {
    const other = await newUser('consist');
    const otherId = (await userRow(other.username)).id;
    await call('POST', `/${other.username}/streams`, { token: other.token, body: { id: 's', name: 'S' } });
    for (let i = 0; i < 3; i++) {
      await postMultipart(`/${other.username}/events`, other.token, formData({ streamIds: ['s'], type: 'file/attached' }, [{ fileName: `${i}.txt`, bytes: bytesOf(`${i}`) }]));
    }
    expect(await blobKeys(`${otherId}/`)).toHaveLength(3);
    const mine = await fileCount();
    await deleteAccount(getDb(await accountD1ById(otherId)), env.ATTACHMENTS, otherId, Date.now() / 1000);
    expect(await blobKeys(`${otherId}/`)).toEqual([]);
    expect(await journalRows(otherId)).toEqual([]);
    for (const table of ['users', 'events', 'accesses', 'streams']) {
      const column = table === 'users' ? 'id' : 'user_id';
      const row = await (await accountD1ById(otherId)).prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?1`).bind(otherId).first<{ n: number }>();
      expect(row!.n, table).toBe(0);
    }
    // The token stops working (a cached copy of the access is refused by the D1 guard).
    expect((await call('GET', `/${other.username}/events`, { token: other.token })).body.error.id).toMatch(/^(invalid-access-token|unknown-resource)$/);
    expect(await fileCount()).toBe(mine);
  });
});
