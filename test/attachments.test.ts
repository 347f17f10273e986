// The four attachment methods on the wire (§4.6, §5.5): multipart create, add, download, delete; attachments
// in event outputs with a read token for the calling access; what batch and JSON may and may not do.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { batch, call, newUser } from './helpers';
import { PART_BYTES } from '../src/storage/blobs';
import { blobKeys, bytesOf, download, formData, patternBytes, postMultipart, sha256Base64 } from './attachment-fixtures';
import { createAccess } from './fixtures/accesses';
import { userRow } from './db-fixtures';
import { accountD1 } from './db-fixtures';

let username: string;
let token: string;
let userId: string;
const u = () => `/${username}`;

beforeAll(async () => {
  ({ username, token } = await newUser('attach'));
  userId = (await userRow(username)).id;
  await call('POST', `${u()}/streams`, { token, body: { id: 'docs', name: 'Docs' } });
  await call('POST', `${u()}/streams`, { token, body: { id: 'diary', name: 'Diary' } });
});

async function eventWithFile(name = 'a.txt', text = 'some bytes', type = 'text/plain') {
  const res = await postMultipart(`${u()}/events`, token, formData({ streamIds: ['docs'], type: 'note/txt', content: 'x' }, [{ fileName: name, type, bytes: bytesOf(text) }]));
  expect(res.status, res.text).toBe(201);
  return res.body.event;
}

describe('events.create with files (multipart)', () => {
  it('creates the event with its attachments, whichever part comes first, and stores the bytes in R2 under the account', async () => {
    const accessId = (await call('GET', `${u()}/access-info`, { token })).body.id;
    for (const eventLast of [false, true]) {
      const bytes = bytesOf(`hello ${eventLast}`);
      const res = await postMultipart(`${u()}/events`, token, formData({ streamIds: ['docs'], type: 'note/txt', content: 'x' }, [
        { fileName: 'hello.txt', type: 'text/plain', bytes },
      ], { eventLast }));
      expect(res.status, res.text).toBe(201);
      const [a] = res.body.event.attachments;
      expect(Object.keys(a)).toEqual(['id', 'fileName', 'type', 'size', 'readToken', 'integrity']);
      expect(a).toMatchObject({ fileName: 'hello.txt', type: 'text/plain', size: bytes.length, integrity: `sha256-${await sha256Base64(bytes)}` });
      expect(a.id).toMatch(/^[a-z][a-z0-9]{23}$/);
      expect(a.readToken).toMatch(new RegExp(`^${accessId}-[A-Za-z0-9_-]{43}$`));
      const keys = await blobKeys(`${userId}/`);
      expect(keys.filter((k) => k.endsWith(`/${a.id}`))).toHaveLength(1);
    }
  });

  it('takes several files; a file part without a type is application/octet-stream; an empty filename falls back to the field name', async () => {
    const form = formData({ streamIds: ['docs'], type: 'note/txt', content: 'x' }, [
      { name: 'first', fileName: 'one.bin', type: 'image/png', bytes: bytesOf('1') },
      { name: 'second', fileName: 'two.bin', bytes: bytesOf('22') },
    ]);
    const raw = `--B\r\nContent-Disposition: form-data; name="event"\r\n\r\n{"streamIds":["docs"],"type":"note/txt","content":"x"}\r\n` +
      `--B\r\nContent-Disposition: form-data; name="scan"; filename=""\r\n\r\nabc\r\n--B--\r\n`;
    const several = await postMultipart(`${u()}/events`, token, form);
    expect(several.body.event.attachments.map((a: any) => [a.fileName, a.type, a.size])).toEqual([['one.bin', 'image/png', 1], ['two.bin', 'application/octet-stream', 2]]);
    const unnamed = await postMultipart(`${u()}/events`, token, { raw, contentType: 'multipart/form-data; boundary=B' });
    expect(unnamed.body.event.attachments[0]).toMatchObject({ fileName: 'scan', type: 'application/octet-stream', size: 3 });
  });

  it('refuses a multipart create of an attachmentRequired type without a file; a JSON create of it stays allowed (§8.3 #45)', async () => {
    const multipart = await postMultipart(`${u()}/events`, token, formData({ streamIds: ['docs'], type: 'picture/attached' }, []));
    expect(multipart.status).toBe(400);
    expect(multipart.body.error.id).toBe('invalid-parameters-format');
    const json = await call('POST', `${u()}/events`, { token, body: { streamIds: ['docs'], type: 'picture/attached' } });
    expect(json.status).toBe(201);
  });

  it('refuses "attachments" given as data: in a JSON create, in the event part, and through a batch', async () => {
    const fake = [{ id: 'x', fileName: 'f', type: 'text/plain', size: 1, integrity: 'sha256-x' }];
    const json = await call('POST', `${u()}/events`, { token, body: { streamIds: ['docs'], type: 'note/txt', content: 'x', attachments: fake } });
    expect(json.status).toBe(400);
    expect(json.body.error.id).toBe('invalid-parameters-format');
    const part = await postMultipart(`${u()}/events`, token, formData({ streamIds: ['docs'], type: 'note/txt', attachments: fake }, [{ fileName: 'a', bytes: 'a' }]));
    expect(part.status).toBe(400);
    const [inBatch] = await batch(username, token, [{ method: 'events.create', params: { streamIds: ['docs'], type: 'note/txt', attachments: fake } }]);
    expect(inBatch.error.id).toBe('invalid-parameters-format');
  });

  it('answers 415 to a multipart body on a method that takes no files, and to a JSON body on addAttachment', async () => {
    const stream = await postMultipart(`${u()}/streams`, token, formData({ id: 'x', name: 'X' }, []));
    expect(stream.status).toBe(415);
    const e = await eventWithFile();
    const json = await call('POST', `${u()}/events/${e.id}`, { token, body: { x: 1 } });
    expect(json.status).toBe(415);
    expect(json.body.error.id).toBe('unsupported-content-type');
  });
});

describe('files larger than one R2 part', () => {
  it('go through an R2 multipart upload and come back byte for byte, with the SHA-256 of the whole file', async () => {
    const bytes = patternBytes(PART_BYTES * 2 + 12_345);
    const res = await postMultipart(`${u()}/events`, token, formData({ streamIds: ['docs'], type: 'file/attached' }, [{ fileName: 'scan.tiff', type: 'image/tiff', bytes }]));
    expect(res.status, res.text).toBe(201);
    const [a] = res.body.event.attachments;
    expect(a).toMatchObject({ size: bytes.length, integrity: `sha256-${await sha256Base64(bytes)}` });
    const back = await download(`${u()}/events/${res.body.event.id}/${a.id}`, { Authorization: token });
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(bytes);
  });
});

describe('events.addAttachment and events.deleteAttachment', () => {
  it('appends the new files to the event and bumps modified', async () => {
    const e = await eventWithFile('first.txt');
    const res = await postMultipart(`${u()}/events/${e.id}`, token, formData(undefined, [{ fileName: 'second.txt', bytes: bytesOf('2nd') }, { fileName: 'third.txt', bytes: bytesOf('3rd') }]));
    expect(res.status, res.text).toBe(200);
    expect(res.body.event.attachments.map((a: any) => a.fileName)).toEqual(['first.txt', 'second.txt', 'third.txt']);
    expect(res.body.event.modified).toBeGreaterThan(e.modified);
    const again = await call('GET', `${u()}/events/${e.id}`, { token });
    expect(again.body.event.attachments).toEqual(res.body.event.attachments);
  });

  it('answers 404 for an unknown event and 403 when the access may not write to the event', async () => {
    const missing = await postMultipart(`${u()}/events/cunknownunknownunknown0000`, token, formData(undefined, [{ fileName: 'a', bytes: 'a' }]));
    expect(missing.status).toBe(404);
    const e = await eventWithFile();
    const reader = await createAccess(username, [{ streamId: 'docs', level: 'read' }]);
    const refused = await postMultipart(`${u()}/events/${e.id}`, reader.token, formData(undefined, [{ fileName: 'a', bytes: 'a' }]));
    expect(refused.status).toBe(403);
    expect((await call('DELETE', `${u()}/events/${e.id}/${e.attachments[0].id}`, { token: reader.token })).status).toBe(403);
  });

  it('deletes one attachment: the event keeps the others, the blob is gone from R2, the id is unknown after', async () => {
    const e = await eventWithFile('keep.txt');
    const added = await postMultipart(`${u()}/events/${e.id}`, token, formData(undefined, [{ fileName: 'drop.txt', bytes: bytesOf('drop me') }]));
    const drop = added.body.event.attachments[1];
    const res = await call('DELETE', `${u()}/events/${e.id}/${drop.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.event.attachments.map((a: any) => a.fileName)).toEqual(['keep.txt']);
    expect((await blobKeys(`${userId}/`)).some((k) => k.endsWith(`/${drop.id}`))).toBe(false);
    expect((await call('DELETE', `${u()}/events/${e.id}/${drop.id}`, { token })).status).toBe(404);
    const last = await call('DELETE', `${u()}/events/${e.id}/${e.attachments[0].id}`, { token });
    expect(last.body.event.attachments).toBeUndefined();
  });

  it('deleteAttachment works inside a batch; addAttachment and getAttachment are HTTP-only (invalid-method)', async () => {
    const e = await eventWithFile();
    const [removed, add, get] = await batch(username, token, [
      { method: 'events.deleteAttachment', params: { id: e.id, fileId: e.attachments[0].id } },
      { method: 'events.addAttachment', params: { id: e.id } },
      { method: 'events.getAttachment', params: { id: e.id, fileId: 'x' } },
    ]);
    expect(removed.event.attachments).toBeUndefined();
    expect([add.error.id, get.error.id]).toEqual(['invalid-method', 'invalid-method']);
  });

  it('keeps attachments read-only in events.update (403) and through updates of other fields', async () => {
    const e = await eventWithFile();
    expect((await call('PUT', `${u()}/events/${e.id}`, { token, body: { attachments: [] } })).status).toBe(403);
    const updated = await call('PUT', `${u()}/events/${e.id}`, { token, body: { content: 'changed', tags: ['t'] } });
    expect(updated.body.event.attachments).toEqual(e.attachments);
  });
});

describe('attachments in event outputs', () => {
  it('carries a read token computed for each calling access (events.get, getOne)', async () => {
    const e = await eventWithFile();
    const other = await createAccess(username, [{ streamId: 'docs', level: 'read' }]);
    const mine = (await call('GET', `${u()}/events?streams[]=docs&limit=50`, { token })).body.events.find((x: any) => x.id === e.id);
    const theirs = (await call('GET', `${u()}/events/${e.id}`, { token: other.token })).body.event;
    expect(mine.attachments[0].readToken).toBe(e.attachments[0].readToken);
    expect(theirs.attachments[0].readToken.startsWith(`${other.id}-`)).toBe(true);
    expect(theirs.attachments[0].readToken).not.toBe(e.attachments[0].readToken);
    expect(JSON.stringify(theirs)).not.toContain('key');
  });

  it('never stores more than the key of a file in D1: the bytes are only in R2', async () => {
    const e = await eventWithFile('secret.txt', 'the bytes of the file');
    const row = await (await accountD1(username)).prepare('SELECT attachments FROM events WHERE id = ?1').bind(e.id).first<{ attachments: string }>();
    expect(row!.attachments).not.toContain('the bytes of the file');
    expect(JSON.parse(row!.attachments)[0].key).toBe(`${userId}/${JSON.parse(row!.attachments)[0].key.split('/')[1]}/${e.attachments[0].id}`);
  });
});
