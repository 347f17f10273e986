// Downloads (§5.5): byte ranges for seeking, and the headers that keep a user's file from acting as a page of
// the API's origin (nosniff everywhere; HTML, SVG, XML and JavaScript sandboxed and only downloaded).
import { beforeAll, describe, expect, it } from 'vitest';
import { call, newUser } from './helpers';
import { bytesOf, download, formData, patternBytes, postMultipart } from './attachment-fixtures';

let username: string;
let token: string;
const u = () => `/${username}`;

beforeAll(async () => {
  ({ username, token } = await newUser('dl'));
  await call('POST', `${u()}/streams`, { token, body: { id: 'media', name: 'Media' } });
});

async function upload(fileName: string, type: string, bytes: Uint8Array) {
  const res = await postMultipart(`${u()}/events`, token, formData({ streamIds: ['media'], type: 'file/attached' }, [{ fileName, type, bytes }]));
  expect(res.status, res.text).toBe(201);
  const e = res.body.event;
  return `${u()}/events/${e.id}/${e.attachments[0].id}`;
}

describe('Range requests', () => {
  const bytes = patternBytes(10_000);
  let path: string;
  beforeAll(async () => {
    path = await upload('song.mp3', 'audio/mpeg', bytes);
  });

  it('answers a byte range with 206, Content-Range and the range length', async () => {
    const res = await download(path, { Authorization: token, Range: 'bytes=100-199' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 100-199/10000');
    expect(res.headers.get('content-length')).toBe('100');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes.slice(100, 200));
  });

  it('serves open-ended and suffix ranges, and clamps an end past the file', async () => {
    const open = await download(path, { Authorization: token, Range: 'bytes=9990-' });
    expect(new Uint8Array(await open.arrayBuffer())).toEqual(bytes.slice(9990));
    const suffix = await download(path, { Authorization: token, Range: 'bytes=-10' });
    expect(suffix.headers.get('content-range')).toBe('bytes 9990-9999/10000');
    const clamped = await download(path, { Authorization: token, Range: 'bytes=9000-20000' });
    expect(clamped.headers.get('content-range')).toBe('bytes 9000-9999/10000');
    expect((await clamped.arrayBuffer()).byteLength).toBe(1000);
  });

  it('answers 416 for a range starting past the end, and the whole file for ranges it does not serve', async () => {
    const past = await download(path, { Authorization: token, Range: 'bytes=10000-' });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */10000');
    for (const range of ['bytes=0-1,5-6', 'items=0-1', 'bytes=5-2']) {
      const whole = await download(path, { Authorization: token, Range: range });
      expect(whole.status, range).toBe(200);
      expect((await whole.arrayBuffer()).byteLength).toBe(10_000);
    }
  });

  it('announces ranges and is never cached', async () => {
    const res = await download(path, { Authorization: token });
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('cache-control')).toBe('no-store');
    await res.arrayBuffer();
  });
});

describe('serving user files safely', () => {
  it('sandboxes HTML, SVG, XML and JavaScript and sends them as downloads', async () => {
    for (const [name, type] of [
      ['page.html', 'text/html'],
      ['page.xhtml', 'application/xhtml+xml; charset=utf-8'],
      ['pic.svg', 'image/svg+xml'],
      ['data.xml', 'text/xml'],
      ['app.js', 'application/javascript'],
      ['mod.mjs', 'TEXT/JAVASCRIPT'],
    ]) {
      const path = await upload(name, type, bytesOf('<script>alert(1)</script>'));
      const res = await download(path, { Authorization: token });
      expect(res.headers.get('content-security-policy'), type).toBe('sandbox');
      expect(res.headers.get('content-disposition'), type).toMatch(/^attachment; filename="/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      await res.arrayBuffer();
    }
  });

  it('shows images and other passive types inline, with the file name encoded safely', async () => {
    const path = await upload('photo été.png', 'image/png', bytesOf('png'));
    const res = await download(path, { Authorization: token });
    expect(res.headers.get('content-security-policy')).toBeNull();
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="photo _t_.png"; filename*=UTF-8''photo%20%C3%A9t%C3%A9.png`);
    await res.arrayBuffer();
  });

  it('stores a part type that is not a media type as application/octet-stream', async () => {
    const path = await upload('x.bin', 'not a type', bytesOf('x'));
    const res = await download(path, { Authorization: token });
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    await res.arrayBuffer();
  });

  it('puts nosniff on every answer: JSON results, errors and preflights', async () => {
    for (const res of [
      await call('GET', `${u()}/events`, { token }),
      await call('GET', `${u()}/events/nope`, { token }),
      await call('GET', '/reg/service/info'),
      await call('OPTIONS', `${u()}/events`),
    ]) expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('ignores the file name segment of the path', async () => {
    const path = await upload('real.txt', 'text/plain', bytesOf('real'));
    const res = await download(`${path}/any-other-name.exe`, { Authorization: token });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('real');
  });
});
