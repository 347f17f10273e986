// The streaming multipart reader against bodies cut into arbitrary chunks: same parts whatever the cuts, bytes
// that look like a boundary inside a part survive, and malformed bodies are 400 invalid-request-structure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multipartBoundary, readMultipart } from '../src/api/multipart';
import { ApiError } from '../src/core/errors';

const enc = new TextEncoder();
const BOUNDARY = 'XyZ-boundary-123';

interface Part {
  name: string;
  fileName?: string;
  type?: string;
  bytes: Uint8Array;
}

function encode(parts: Part[], boundary = BOUNDARY): Uint8Array {
  const chunks: Uint8Array[] = [enc.encode('preamble to ignore\r\n')];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.fileName !== undefined) head += `; filename="${p.fileName}"`;
    head += '\r\n';
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(enc.encode(`${head}\r\n`), p.bytes, enc.encode('\r\n'));
  }
  chunks.push(enc.encode(`--${boundary}--\r\nepilogue`));
  return concat(chunks);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** The body as a stream cut at the given offsets. */
function streamOf(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    if (p > last) pieces.push(bytes.slice(last, p));
    last = p;
  }
  return new ReadableStream({
    pull(controller) {
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

async function parse(body: ReadableStream<Uint8Array>, boundary = BOUNDARY) {
  const out: Part[] = [];
  for await (const part of readMultipart(body, boundary)) {
    const bytes = new Uint8Array(await new Response(part.body).arrayBuffer());
    out.push({ name: part.name, ...(part.fileName !== undefined ? { fileName: part.fileName } : {}), ...(part.type ? { type: part.type } : {}), bytes });
  }
  return out;
}

async function refusal(body: Uint8Array | string, boundary = BOUNDARY): Promise<ApiError> {
  const bytes = typeof body === 'string' ? enc.encode(body) : body;
  try {
    await parse(streamOf(bytes, []), boundary);
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('parsed a malformed body');
}

// Part contents biased towards the delimiter's own bytes, so near-boundaries appear inside parts.
const tricky = fc.array(fc.oneof(fc.constantFrom(...enc.encode(`\r\n--${BOUNDARY}`)), fc.integer({ min: 0, max: 255 })), { maxLength: 300 }).map((a) => new Uint8Array(a));
const partArb = fc.record({
  name: fc.stringMatching(/^[a-z]{1,8}$/),
  fileName: fc.option(fc.stringMatching(/^[A-Za-z0-9 ._-]{0,12}$/), { nil: undefined }),
  type: fc.option(fc.constantFrom('image/png', 'text/plain', 'application/json'), { nil: undefined }),
  bytes: tricky,
}).map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as unknown as Part);

describe('readMultipart', () => {
  it('yields the same parts, bytes included, however the body is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(partArb, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 40 }), async (parts, cuts) => {
        const bytes = encode(parts);
        // A part must not contain the full delimiter (a client would pick another boundary).
        fc.pre(!Buffer.from(concat(parts.map((p) => p.bytes))).includes(`\r\n--${BOUNDARY}`));
        expect(await parse(streamOf(bytes, cuts))).toEqual(parts);
      }),
      { numRuns: 150 },
    );
  });

  it('skips the rest of a part its consumer left unread', async () => {
    const body = encode([
      { name: 'a', fileName: 'a.bin', bytes: new Uint8Array(5000).fill(1) },
      { name: 'b', bytes: enc.encode('{"x":1}') },
    ]);
    const names: string[] = [];
    for await (const part of readMultipart(streamOf(body, [100, 2000, 4000]), BOUNDARY)) names.push(part.name);
    expect(names).toEqual(['a', 'b']);
  });

  it('reads the boundary from the Content-Type, quoted or not', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc')).toBe('abc');
    expect(multipartBoundary('multipart/form-data; charset=x; boundary="a b"')).toBe('a b');
    expect(() => multipartBoundary('multipart/form-data')).toThrow(ApiError);
  });

  it('decodes RFC 5987 file names and unescapes quoted ones', async () => {
    const body = enc.encode(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="x.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt\r\n\r\nA\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="g"; filename="a\\"b.txt"\r\n\r\nB\r\n--${BOUNDARY}--`,
    );
    const parts = await parse(streamOf(body, []));
    expect(parts.map((p) => p.fileName)).toEqual(['résumé.txt', 'a"b.txt']);
  });

  it('refuses malformed bodies with 400 invalid-request-structure', async () => {
    const cases = [
      '', // empty
      'no boundary at all',
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated`,
      `--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nno disposition\r\n--${BOUNDARY}--`,
      `--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--${BOUNDARY}--`,
      `--${BOUNDARY}\r\nContent-Disposition: attachment; name="a"\r\n\r\nnot form-data\r\n--${BOUNDARY}--`,
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n`, // headers never end
      `--${BOUNDARY}\r\nbad header line\r\n\r\nx\r\n--${BOUNDARY}--`,
      `--${BOUNDARY}garbage\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--${BOUNDARY}--`,
    ];
    for (const body of cases) {
      const e = await refusal(body);
      expect(e, body).toBeInstanceOf(ApiError);
      expect(e.id, body).toBe('invalid-request-structure');
    }
    const e = await refusal(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n${'X-Pad: y\r\n'.repeat(3000)}\r\nx\r\n--${BOUNDARY}--`);
    expect(e.message).toMatch(/headers too long/);
  });

  it('passes the byte counter every chunk, so a limit throws from the part stream', async () => {
    const body = encode([{ name: 'f', fileName: 'big', bytes: new Uint8Array(10_000) }]);
    let seen = 0;
    const limit = new ApiError('payload-too-large', 'too large');
    const read = async () => {
      for await (const part of readMultipart(streamOf(body, [1000, 2000, 3000, 4000]), BOUNDARY, (n) => {
        seen += n;
        if (seen > 2500) throw limit;
      })) await new Response(part.body).arrayBuffer();
    };
    await expect(read()).rejects.toBe(limit);
  });
});
