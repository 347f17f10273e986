// A minimal HTTP client for the seeding and sample requests: JSON in and out, plus the bench-mode headers.

/**
 * One request; returns status, parsed body and the storage counts the Worker reported (bench mode). `raw` sends
 * bytes as they are (`{bytes, contentType}`: a multipart upload) instead of a JSON `body`.
 */
export async function request(base, method, path, { token, body, raw } = {}) {
  const headers = {};
  if (token) headers.Authorization = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (raw) headers['Content-Type'] = raw.contentType;
  const payload = raw ? raw.bytes : body === undefined ? undefined : JSON.stringify(body);
  const res = await fetch(`${base}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const count = (name) => (res.headers.has(name) ? Number(res.headers.get(name)) : null);
  return { status: res.status, body: parsed, text, d1: count('x-bench-d1'), kvReads: count('x-bench-kv'), r2: count('x-bench-r2') };
}

/** Error ids meaning "this method is not in this build yet" (inline in a batch, or as HTTP 451/404). */
export const UNAVAILABLE_IDS = new Set(['unavailable-method', 'invalid-method']);

/**
 * Sends `calls` as batch requests of at most `chunk` calls, `concurrency` in flight, reporting progress on
 * stderr. Returns every result in order. A failed HTTP request throws; inline errors are returned as results.
 */
export async function batchCalls(base, username, token, calls, { chunk = 1000, concurrency = 1, label = 'calls' } = {}) {
  const results = new Array(calls.length);
  // D1 round trips of each full-size batch request (bench mode reports them), for the batch budget lines.
  const d1PerBatch = [];
  const started = Date.now();
  let next = 0;
  let done = 0;
  const progress = () => {
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
    process.stderr.write(`\r  ${label}: ${done}/${calls.length} (${Math.round(rate)}/s)   `);
  };
  const worker = async () => {
    while (next < calls.length) {
      const from = next;
      next += chunk;
      const part = calls.slice(from, from + chunk);
      const res = await request(base, 'POST', `/${username}/`, { token, body: part });
      if (res.status !== 200 || !Array.isArray(res.body?.results)) {
        throw new Error(`batch failed (${label}): HTTP ${res.status} ${res.text.slice(0, 300)}`);
      }
      res.body.results.forEach((r, i) => (results[from + i] = r));
      if (res.d1 !== null && part.length === chunk) d1PerBatch.push(res.d1);
      done += part.length;
      progress();
    }
  };
  progress();
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.ceil(calls.length / chunk)) }, worker));
  process.stderr.write('\n');
  return { results, seconds: (Date.now() - started) / 1000, d1PerBatch };
}

/** Summarizes inline errors of batch results: how many, whether all say "method not available", a sample. */
export function inlineErrors(results) {
  const errors = results.filter((r) => r && r.error);
  return {
    count: errors.length,
    allUnavailable: errors.length > 0 && errors.length === results.length && errors.every((r) => UNAVAILABLE_IDS.has(r.error.id)),
    sample: errors[0]?.error ?? null,
  };
}

/** A multipart `events.create` body with one generated file of `size` bytes (the upload scenario's request). */
export function multipartUpload(event, size, fileName = 'bench.bin') {
  const boundary = 'bench-boundary-7f3a';
  const file = Buffer.alloc(size);
  for (let i = 0; i < size; i++) file[i] = (i * 31 + 7) & 0xff;
  const bytes = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="event"\r\n\r\n${JSON.stringify(event)}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { bytes, contentType: `multipart/form-data; boundary=${boundary}` };
}
