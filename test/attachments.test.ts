import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, newUser } from './helpers';
import { bytesOf, download, formData, postMultipart, sha256Base64 } from './attachment-fixtures';

let username: string;
let token: string;
const u = () => `/${username}`;

beforeAll(async () => {
  ({ username, token } = await newUser('attach'));
  await call('POST', `${u()}/streams`, { token, body: { id: 'docs', name: 'Docs' } });
});

describe('events.create with files (multipart)', () => {
  it('creates the event with its attachments, whichever part comes first, and stores the bytes in R2', async () => {
    for (const eventLast of [false, true]) {
      const bytes = bytesOf(`hello ${eventLast}`);
      const res = await postMultipart(`${u()}/events`, token, formData({ streamIds: ['docs'], type: 'note/txt', content: 'x' }, [
        { fileName: 'hello.txt', type: 'text/plain', bytes },
      ], { eventLast }));
      expect(res.status, res.text).toBe(201);
      const [a] = res.body.event.attachments;
      expect(Object.keys(a)).toEqual(['id', 'fileName', 'type', 'size', 'readToken', 'integrity']);
      expect(a).toMatchObject({ fileName: 'hello.txt', type: 'text/plain', size: bytes.length, integrity: `sha256-${await sha256Base64(bytes)}` });
      expect(a.readToken).toMatch(new RegExp(`^${(await call('GET', `${u()}/access-info`, { token })).body.id}-[A-Za-z0-9_-]{43}$`));
      const listed = await env.ATTACHMENTS.list();
      expect(listed.objects.some((o) => o.key.endsWith(`/${a.id}`) && o.size === bytes.length)).toBe(true);
    }
  });

  it('serves the bytes with Content-Type, Content-Length, Digest, nosniff and CORS, by header or readToken', async () => {
    const bytes = bytesOf('a small file');
    const res = await postMultipart(`${u()}/events`, token, formData({ streamIds: ['docs'], type: 'file/attached' }, [{ fileName: 'small.bin', type: 'application/x-thing', bytes }]));
    const { id, attachments: [a] } = res.body.event;
    const byHeader = await download(`${u()}/events/${id}/${a.id}`, { Authorization: token, Origin: 'https://app.example' });
    expect(byHeader.status).toBe(200);
    expect(new Uint8Array(await byHeader.arrayBuffer())).toEqual(bytes);
    expect(byHeader.headers.get('content-type')).toBe('application/x-thing');
    expect(byHeader.headers.get('content-length')).toBe(String(bytes.length));
    expect(byHeader.headers.get('digest')).toBe(`SHA-256=${await sha256Base64(bytes)}`);
    expect(byHeader.headers.get('x-content-type-options')).toBe('nosniff');
    expect(byHeader.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const byReadToken = await download(`${u()}/events/${id}/${a.id}/small.bin?readToken=${a.readToken}`);
    expect(byReadToken.status).toBe(200);
    expect(await byReadToken.text()).toBe('a small file');
  });
});
