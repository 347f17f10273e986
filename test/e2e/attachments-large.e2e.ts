// A 50 MB file through `wrangler dev`, as `npm start` runs the Worker: uploaded in a streamed multipart body,
// downloaded whole and by range, checked byte for byte by SHA-256, while the Worker isolate's memory (JS heap plus
// ArrayBuffer stores, read over the inspector) is sampled. Streaming (decision 017) keeps it far below the file.
// (The workerd process's RSS is no measure here: locally it also hosts the R2 simulator and request buffers.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, removeDir, startDevServer, type DevServer } from '../../scripts/dev-server.mjs';
import { migratedStateDir } from './migrated-state';
import { E2E_TOKEN_KEY } from './dev-server-fixture';
import { downloadHashed, fileBytes, isolateMemory, uploadGenerated } from './large-file.mjs';

const FILE_BYTES = 50 * 1024 * 1024;
/** The isolate may hold at most this share of the file while it passes through (one 5 MiB R2 part, chunks). */
const MAX_GROWTH_SHARE = 0.25;
const MB = 1024 * 1024;

let server: DevServer;
let stateDir: string;
let inspectorPort: number;

beforeAll(async () => {
  stateDir = migratedStateDir();
  inspectorPort = await freePort();
  server = await startDevServer({ stateDir, migrate: false, vars: { TOKEN_KEY: E2E_TOKEN_KEY }, extraArgs: ['--inspector-port', String(inspectorPort)] });
});

afterAll(async () => {
  await server?.stop();
  if (stateDir) removeDir(stateDir);
});

async function api(method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(token ? { Authorization: token } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('a 50 MB attachment through wrangler dev', () => {
  it('streams in and out with the right bytes and ranges, the isolate holding far less than the file', { timeout: 240_000 }, async () => {
    const username = `large${Date.now().toString(36)}`;
    const reg = await api('POST', '/reg/users', null, { appId: 'large-e2e', username, password: 'e2e-password', email: `${username}@example.org` });
    const token = new URL(reg.body.apiEndpoint).username;
    await api('POST', `/${username}/streams`, token, { id: 'files', name: 'Files' });
    const event = { streamIds: ['files'], type: 'file/attached' };
    // Warm-up: the upload and download code is loaded before the baseline is read.
    expect((await uploadGenerated(`${server.url}/${username}/events`, token, event, 64 * 1024)).status).toBe(201);
    const wake = () => fetch(`${server.url}/reg/service/info`).then((r) => r.text());

    const upMemory = await isolateMemory(inspectorPort, wake);
    const up = await uploadGenerated(`${server.url}/${username}/events`, token, event, FILE_BYTES);
    const upPeak = await upMemory.stop();
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const file = up.body.event.attachments[0];
    expect(file).toMatchObject({ size: FILE_BYTES, integrity: `sha256-${up.sha256}` });

    const url = `${server.url}/${username}/events/${up.body.event.id}/${file.id}`;
    const downMemory = await isolateMemory(inspectorPort, wake);
    const down = await downloadHashed(url, { Authorization: token });
    const downPeak = await downMemory.stop();
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

    const mb = (n: number) => (n / MB).toFixed(1);
    console.log(
      `50 MB attachment: upload ${up.ms} ms, download ${down.ms} ms; isolate memory (heap + ArrayBuffers, after GC): ` +
        `upload ${mb(upMemory.baseline)} → peak ${mb(upPeak.peak)} MB (before GC ${mb(upPeak.rawPeak)} MB), download ${mb(downMemory.baseline)} → ${mb(downPeak.peak)} MB`,
    );
    expect(upPeak.peak - upMemory.baseline).toBeLessThan(FILE_BYTES * MAX_GROWTH_SHARE);
    expect(downPeak.peak - downMemory.baseline).toBeLessThan(FILE_BYTES * MAX_GROWTH_SHARE);
  });
});
