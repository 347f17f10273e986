// Node-side helpers of the large-attachment e2e test (plain JS, typed by large-file.d.mts: the TypeScript project
// has no Node typings): a deterministic file generated on the fly (never held whole), streamed multipart uploads,
// hashed downloads, and the Worker isolate's memory read over the inspector.
import { createHash } from 'node:crypto';
import WebSocket from 'ws';

const CHUNK = 256 * 1024;

/** Bytes of chunk `i` of a deterministic file (cheap to regenerate, so nobody keeps a copy). */
function chunk(i, size) {
  const out = new Uint8Array(Math.min(CHUNK, size - i * CHUNK));
  let x = i + 1;
  for (let j = 0; j < out.length; j++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[j] = x >>> 24;
  }
  return out;
}

/** `length` bytes of the file of `size` bytes from `offset`. */
export function fileBytes(size, offset, length) {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; ) {
    const i = Math.floor((offset + at) / CHUNK);
    const c = chunk(i, size).subarray(offset + at - i * CHUNK);
    const n = Math.min(c.length, length - at);
    out.set(c.subarray(0, n), at);
    at += n;
  }
  return out;
}

/** Streams a multipart events.create of a generated file of `size` bytes; resolves with the answer and the file's SHA-256. */
export async function uploadGenerated(url, token, event, size) {
  const enc = new TextEncoder();
  const head = enc.encode(`--BOUNDARY\r\nContent-Disposition: form-data; name="event"\r\n\r\n${JSON.stringify(event)}\r\n` +
    '--BOUNDARY\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n');
  const tail = enc.encode('\r\n--BOUNDARY--\r\n');
  const chunks = Math.ceil(size / CHUNK);
  const hash = createHash('sha256');
  let next = -1;
  const body = new ReadableStream({
    pull(c) {
      if (next === -1) c.enqueue(head);
      else if (next < chunks) {
        const bytes = chunk(next, size);
        hash.update(bytes);
        c.enqueue(bytes);
      } else if (next === chunks) c.enqueue(tail);
      else c.close();
      next += 1;
    },
  });
  const started = Date.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: token, 'Content-Type': 'multipart/form-data; boundary=BOUNDARY' },
    body,
    duplex: 'half',
  });
  const json = await res.json();
  return { status: res.status, body: json, sha256: hash.digest('base64'), ms: Date.now() - started };
}

/** Downloads, hashing on the way; resolves with status, headers, size and SHA-256. */
export async function downloadHashed(url, headers) {
  const started = Date.now();
  const res = await fetch(url, { headers });
  const hash = createHash('sha256');
  let size = 0;
  for await (const part of res.body) {
    hash.update(part);
    size += part.length;
  }
  return { status: res.status, headers: res.headers, size, sha256: hash.digest('base64'), ms: Date.now() - started };
}

/**
 * The Worker isolate's own memory, read over wrangler dev's inspector (`--inspector-port`): V8's used heap plus
 * the backing stores of ArrayBuffers, where file bytes would sit (`Runtime.getHeapUsage`). Each sample first
 * forces a garbage collection, so it measures what the code still holds, not chunks already let go that V8 has
 * not reclaimed yet. `peak` is the largest sample; `rawPeak` the largest reading taken before collecting.
 * workerd only serves a collection while the isolate runs something, so `wake` (a cheap request) is sent along.
 */
export async function isolateMemory(inspectorPort, wake, everyMs = 50) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const pending = new Map();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.id === undefined) return;
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  });
  /** A command's result; undefined when no answer came within the bound (the isolate stayed idle). */
  const ask = (method, timeoutMs = 5000) =>
    new Promise((resolve) => {
      id += 1;
      const mine = id;
      const timer = setTimeout(() => {
        pending.delete(mine);
        resolve(undefined);
      }, timeoutMs);
      pending.set(mine, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      ws.send(JSON.stringify({ id: mine, method }));
    });
  const usage = async () => {
    const u = await ask('Runtime.getHeapUsage');
    return u ? u.usedSize + (u.backingStorageSize ?? 0) : 0;
  };
  const live = async () => {
    const collected = ask('HeapProfiler.collectGarbage');
    void wake().catch(() => undefined);
    return (await collected) === undefined ? 0 : usage();
  };
  await ask('HeapProfiler.enable');
  let baseline = 0;
  for (let i = 0; i < 3 && baseline === 0; i++) baseline = await live();
  if (baseline === 0) baseline = await usage();
  let peak = baseline;
  let rawPeak = baseline;
  let running = true;
  const loop = (async () => {
    while (running) {
      rawPeak = Math.max(rawPeak, await usage());
      peak = Math.max(peak, await live());
      if (!running) break;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    baseline,
    async stop() {
      running = false;
      await loop;
      ws.close();
      return { peak, rawPeak };
    },
  };
}
