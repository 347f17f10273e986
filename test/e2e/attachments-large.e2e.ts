// A 50 MB file through `wrangler dev`, as `npm start` runs the Worker: uploaded in a streamed multipart body,
// downloaded whole and by range, checked byte for byte by SHA-256, while the memory of the workerd process that
// runs the Worker is sampled. Streaming (decision 017) keeps its growth far below the file's size.
import { describe, expect, it } from 'vitest';
import { useDevServer } from './dev-server-fixture';
import { downloadHashed, fileBytes, runtimeMemory, uploadGenerated } from './large-file.mjs';

const dev = useDevServer();
const FILE_BYTES = 50 * 1024 * 1024;
/** The Worker's process may grow by at most this share of the file while it passes through. */
const MAX_GROWTH_SHARE = 0.4;
const MB = 1024 * 1024;

async function api(method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(`${dev.server.url}${path}`, {
    method,
    headers: { ...(token ? { Authorization: token } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('a 50 MB attachment through wrangler dev', () => {
  it('streams in and out with the right bytes and ranges, the Worker process growing far less than the file', { timeout: 240_000 }, async () => {
    const username = `large${Date.now().toString(36)}`;
    const reg = await api('POST', '/reg/users', null, { appId: 'large-e2e', username, password: 'e2e-password', email: `${username}@example.org` });
    const token = new URL(reg.body.apiEndpoint).username;
    await api('POST', `/${username}/streams`, token, { id: 'files', name: 'Files' });
    // Warm-up: the upload and download code paths are loaded before the baseline is read.
    const warm = await uploadGenerated(`${dev.server.url}/${username}/events`, token, { streamIds: ['files'], type: 'file/attached' }, 64 * 1024);
    expect(warm.status).toBe(201);

    const memory = runtimeMemory(dev.server.pid!);
    expect(memory.pids).toHaveLength(1);
    const before = memory.now();
    const up = await uploadGenerated(`${dev.server.url}/${username}/events`, token, { streamIds: ['files'], type: 'file/attached' }, FILE_BYTES);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const { event } = up.body;
    expect(event.attachments[0]).toMatchObject({ size: FILE_BYTES, integrity: `sha256-${up.sha256}` });
    const url = `${dev.server.url}/${username}/events/${event.id}/${event.attachments[0].id}`;
    const down = await downloadHashed(url, { Authorization: token });
    const peak = memory.stop();
    expect(down.status).toBe(200);
    expect(down.headers.get('content-length')).toBe(String(FILE_BYTES));
    expect(down.headers.get('digest')).toBe(`SHA-256=${up.sha256}`);
    expect(down.size).toBe(FILE_BYTES);
    expect(down.sha256).toBe(up.sha256);

    // Seeking into the middle, as a media player does.
    const at = 30 * MB + 12_345;
    const range = await fetch(url, { headers: { Authorization: token, Range: `bytes=${at}-${at + 99}` } });
    expect(range.status).toBe(206);
    expect(new Uint8Array(await range.arrayBuffer())).toEqual(fileBytes(FILE_BYTES, at, 100));

    const growth = peak - before;
    console.log(`50 MB attachment: upload ${up.ms} ms, download ${down.ms} ms; Worker process RSS ${(before / MB).toFixed(1)} MB before, peak ${(peak / MB).toFixed(1)} MB (+${(growth / MB).toFixed(1)} MB)`);
    expect(growth).toBeLessThan(FILE_BYTES * MAX_GROWTH_SHARE);
  });
});
