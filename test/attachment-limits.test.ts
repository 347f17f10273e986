// The operator's limits on multipart requests (413 payload-too-large at the first byte over) and the 400s of a
// malformed body; whatever is refused, nothing stays in R2 and no upload stays journaled.
import { beforeAll, describe, expect, it } from 'vitest';
import { PART_BYTES } from '../src/storage/blobs';
import { userRow } from './db-fixtures';
import { blobKeys, bytesOf, formData, journalRows, patternBytes, postMultipart, type FilePart } from './attachment-fixtures';
import { call, newUser } from './helpers';

let username: string;
let token: string;
let userId: string;
const u = () => `/${username}`;
const event = { streamIds: ['docs'], type: 'file/attached' };

beforeAll(async () => {
  ({ username, token } = await newUser('limits'));
  userId = (await userRow(username)).id;
  await call('POST', `${u()}/streams`, { token, body: { id: 'docs', name: 'Docs' } });
});

/** Runs refused requests and checks they left nothing: no new object under the account, no journal row. */
async function leavesNothing(requests: () => Promise<void>) {
  const before = await blobKeys(`${userId}/`);
  await requests();
  expect(await blobKeys(`${userId}/`)).toEqual(before);
  expect(await journalRows(userId)).toEqual([]);
}

const files = (n: number, size = 10): FilePart[] => Array.from({ length: n }, (_, i) => ({ fileName: `f${i}.bin`, bytes: patternBytes(size, i) }));

/** A body streamed without Content-Length, as a client that does not know the size sends it. */
function streamed(text: string, chunk = 1000): ReadableStream<Uint8Array> {
  const bytes = bytesOf(text);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, (at += chunk)));
    },
  });
}

describe('limits (413 payload-too-large)', () => {
  it('takes at most 10 files per request by default', async () => {
    await leavesNothing(async () => {
      const res = await postMultipart(`${u()}/events`, token, formData(event, files(11)));
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ id: 'payload-too-large', data: { limit: 10 } });
    });
    expect((await postMultipart(`${u()}/events`, token, formData(event, files(10)))).status).toBe(201);
  });

  it('applies the operator settings for files per request and bytes per file', async () => {
    const vars = { ATTACHMENT_MAX_FILES: '2', ATTACHMENT_MAX_FILE_BYTES: '1000' };
    const atLimit = await postMultipart(`${u()}/events`, token, formData(event, files(1, 1000)), vars);
    expect(atLimit.status).toBe(201);
    await leavesNothing(async () => {
      expect((await postMultipart(`${u()}/events`, token, formData(event, files(3)), vars)).status).toBe(413);
      // The first file was stored before the second went over: it goes too.
      const over = await postMultipart(`${u()}/events`, token, formData(event, [...files(1, 10), { fileName: 'big', bytes: patternBytes(1001) }]), vars);
      expect(over.status).toBe(413);
      expect(over.body.error.data).toEqual({ limit: 1000 });
    });
  });

  it('aborts the R2 multipart upload of a file that goes over the limit after its first parts', async () => {
    const vars = { ATTACHMENT_MAX_FILE_BYTES: String(PART_BYTES + 100) };
    await leavesNothing(async () => {
      const res = await postMultipart(`${u()}/events`, token, formData(event, [{ fileName: 'big.bin', bytes: patternBytes(PART_BYTES + 101) }]), vars);
      expect(res.status).toBe(413);
    });
  });

  it('applies the request limit to the declared length, and to the bytes read when none is declared', async () => {
    const vars = { ATTACHMENT_MAX_REQUEST_BYTES: '2000' };
    await leavesNothing(async () => {
      const declared = await postMultipart(`${u()}/events`, token, formData(event, files(1, 3000)), vars);
      expect(declared.status).toBe(413);
      const raw = `--B\r\nContent-Disposition: form-data; name="event"\r\n\r\n${JSON.stringify(event)}\r\n` +
        `--B\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n${'x'.repeat(1500)}\r\n` +
        `--B\r\nContent-Disposition: form-data; name="g"; filename="b.bin"\r\n\r\n${'y'.repeat(1500)}\r\n--B--\r\n`;
      const counted = await postMultipart(`${u()}/events`, token, { raw: streamed(raw), contentType: 'multipart/form-data; boundary=B' }, vars);
      expect(counted.status).toBe(413);
      expect(counted.body.error.data).toEqual({ limit: 2000 });
    });
  });

  it('refuses uploads with 503 while the operator limits are invalid, and stores nothing', async () => {
    await leavesNothing(async () => {
      const res = await postMultipart(`${u()}/events`, token, formData(event, files(1)), { ATTACHMENT_MAX_FILES: 'ten' });
      expect(res.status).toBe(503);
      expect(res.body.error.id).toBe('api-unavailable');
    });
  });
});

describe('malformed multipart bodies (400 invalid-request-structure)', () => {
  const part = (name: string, body: string, fileName?: string) =>
    `--B\r\nContent-Disposition: form-data; name="${name}"${fileName === undefined ? '' : `; filename="${fileName}"`}\r\n\r\n${body}\r\n`;
  const json = JSON.stringify(event);

  it('refuses bad layouts of events.create: no boundary, truncated, two event parts, a non-JSON or missing event part', async () => {
    await leavesNothing(async () => {
      for (const [contentType, raw] of [
        ['multipart/form-data', `${part('event', json)}--B--`],
        ['multipart/form-data; boundary=B', `${part('event', json)}${part('f', 'abc', 'a.txt')}`],
        ['multipart/form-data; boundary=B', `${part('event', json)}${part('other', json)}--B--`],
        ['multipart/form-data; boundary=B', `${part('f', 'abc', 'a.txt')}${part('event', '{not json')}--B--`],
        ['multipart/form-data; boundary=B', `${part('f', 'abc', 'a.txt')}--B--`],
      ]) {
        const res = await postMultipart(`${u()}/events`, token, { raw, contentType });
        expect(res.status, raw).toBe(400);
        expect(res.body.error.id, raw).toBe('invalid-request-structure');
      }
    });
  });

  it('refuses a non-file part in events.addAttachment', async () => {
    const created = await postMultipart(`${u()}/events`, token, formData(event, files(1)));
    const res = await postMultipart(`${u()}/events/${created.body.event.id}`, token, { raw: `${part('f', 'abc', 'a.txt')}${part('event', json)}--B--`, contentType: 'multipart/form-data; boundary=B' });
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe('invalid-request-structure');
    const after = await call('GET', `${u()}/events/${created.body.event.id}`, { token });
    expect(after.body.event.attachments).toHaveLength(1);
  });
});
