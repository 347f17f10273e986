// Node-side helpers of the large-attachment e2e test (plain JS, typed by large-file.d.mts: the TypeScript project
// has no Node typings): a deterministic file generated on the fly (never held whole), streamed multipart uploads,
// hashed downloads, and the memory of the workerd process that runs the Worker.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { memoryKb, workerdPids } from '../../bench/rss.mjs';

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

/** RSS of the workerd process running the Worker (wrangler dev's other workerd is its proxy), peak sampled. */
export function runtimeMemory(rootPid, everyMs = 50) {
  const pids = workerdPids(rootPid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--inspector-addr');
    } catch {
      return false;
    }
  });
  const read = () => memoryKb(pids).rssKb * 1024;
  let peak = read();
  const timer = setInterval(() => (peak = Math.max(peak, read())), everyMs);
  return {
    pids,
    now: read,
    stop() {
      clearInterval(timer);
      return Math.max(peak, read());
    },
  };
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
