/**
 * A streaming `multipart/form-data` reader (RFC 7578): parts come out one at a time, each with its headers and
 * a body stream, and no part is ever held whole in memory. At most one chunk of the request plus a delimiter's
 * length is buffered. A part's body must be read (or cancelled) before asking for the next part; what was left
 * unread is skipped.
 *
 * Every malformation is a 400 `invalid-request-structure` (§3); byte limits are the caller's (`onBytes`).
 */
import { err } from '../core/errors';

export interface MultipartPart {
  /** The `name` of the part's Content-Disposition. */
  name: string;
  /** The `filename` parameter when present (possibly empty): its presence makes the part a file (§5.5). */
  fileName?: string;
  /** The part's Content-Type, when given. */
  type?: string;
  body: ReadableStream<Uint8Array>;
}

/** Bound on one part's header block: real clients send a few hundred bytes. */
const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = new Uint8Array([13, 10]);
const HEADER_END = new Uint8Array([13, 10, 13, 10]);
const encoder = new TextEncoder();

const malformed = (why: string) => err.requestStructure(`Malformed multipart body: ${why}.`);

/** The boundary of a `multipart/form-data` Content-Type, or a 400. */
export function multipartBoundary(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  // RFC 2046: 1 to 70 characters.
  if (!boundary || boundary.length > 70) throw malformed('missing or invalid boundary');
  return boundary;
}

/** Index of `needle` in `hay` at or after `from`, or -1. */
function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** The request's bytes, with a cursor: read ahead as needed, consumed from the front. */
class ByteQueue {
  private buf: Uint8Array;
  private pos = 0;
  private done = false;

  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    initial: Uint8Array,
    private readonly onBytes: (n: number) => void,
  ) {
    this.buf = initial;
  }

  get available(): number {
    return this.buf.length - this.pos;
  }

  /** Reads one more chunk; false at the end of the body. */
  async more(): Promise<boolean> {
    if (this.done) return false;
    const { done, value } = await this.reader.read();
    if (done) {
      this.done = true;
      return false;
    }
    this.onBytes(value.byteLength);
    const rest = this.buf.subarray(this.pos);
    // Most of the time nothing is left over (see `keep`): the chunk becomes the buffer without a copy.
    if (rest.length === 0) this.buf = value;
    else {
      const next = new Uint8Array(rest.length + value.byteLength);
      next.set(rest);
      next.set(value, rest.length);
      this.buf = next;
    }
    this.pos = 0;
    return true;
  }

  /**
   * How many bytes at the end may be the start of `needle` (and must wait for the next chunk): the longest
   * suffix that is a prefix of it, usually 0.
   */
  keep(needle: Uint8Array): number {
    const end = this.buf.length;
    const from = Math.max(this.pos, end - (needle.length - 1));
    for (let i = this.buf.indexOf(needle[0], from); i !== -1 && i < end; i = this.buf.indexOf(needle[0], i + 1)) {
      let j = 1;
      while (i + j < end && this.buf[i + j] === needle[j]) j++;
      if (i + j === end) return end - i;
    }
    return 0;
  }

  find(needle: Uint8Array, offset = 0): number {
    const i = indexOf(this.buf, needle, this.pos + offset);
    return i === -1 ? -1 : i - this.pos;
  }

  peek(n: number): Uint8Array {
    return this.buf.subarray(this.pos, this.pos + n);
  }

  /** Takes `n` bytes: a view, valid until the consumer is done with it (the queue never writes into a buffer). */
  take(n: number): Uint8Array {
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    this.pos += n;
  }

  cancel(): Promise<void> {
    return this.reader.cancel().catch(() => undefined);
  }
}

/** `key="value"` / `key=value` / `key*=UTF-8''…` parameters of a header value (the first item is skipped). */
function headerParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const key = m[1].toLowerCase();
    const raw = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim();
    if (key.endsWith('*')) {
      // RFC 5987: charset'lang'percent-encoded; only UTF-8 is accepted.
      const ext = /^utf-8'[^']*'(.*)$/i.exec(raw);
      if (ext) {
        try {
          params.set(key.slice(0, -1), decodeURIComponent(ext[1]));
        } catch {
          throw malformed('undecodable extended parameter');
        }
      }
    } else if (!params.has(key)) params.set(key, raw);
  }
  return params;
}

function parseHeaders(bytes: Uint8Array): Omit<MultipartPart, 'body'> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw malformed('part headers are not UTF-8');
  }
  let disposition: string | undefined;
  let type: string | undefined;
  for (const line of text.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('invalid part header');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') type = value;
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw malformed('a part without "Content-Disposition: form-data"');
  const params = headerParams(disposition);
  const name = params.get('name');
  if (name === undefined) throw malformed('a part without a name');
  const part: Omit<MultipartPart, 'body'> = { name };
  const fileName = params.get('filename');
  if (fileName !== undefined) part.fileName = fileName;
  if (type) part.type = type;
  return part;
}

/**
 * The parts of a multipart body, in order. `onBytes` sees every chunk's size as it is read (limits throw
 * there, and the error surfaces from the part stream or the iterator).
 */
export async function* readMultipart(
  body: ReadableStream<Uint8Array> | null,
  boundary: string,
  onBytes: (n: number) => void = () => undefined,
): AsyncGenerator<MultipartPart> {
  if (!body) throw malformed('empty body');
  // A CRLF put in front makes the first delimiter look like every other one ("\r\n--boundary").
  const q = new ByteQueue(body.getReader(), CRLF.slice(), onBytes);
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  let finished = false;
  try {
    // Preamble: everything up to the first delimiter is ignored.
    await skipPast(q, delimiter);
    for (;;) {
      // After a delimiter: "--" closes the body; otherwise optional spaces, CRLF, headers, blank line.
      while (q.available < 2) if (!(await q.more())) throw malformed('unexpected end');
      const after = q.peek(2);
      if (after[0] === 45 && after[1] === 45) {
        finished = true;
        return;
      }
      let headerEnd = q.find(HEADER_END);
      while (headerEnd === -1) {
        if (q.available > MAX_HEADER_BYTES) throw malformed('part headers too long');
        if (!(await q.more())) throw malformed('unexpected end in part headers');
        headerEnd = q.find(HEADER_END);
      }
      if (headerEnd > MAX_HEADER_BYTES) throw malformed('part headers too long');
      const head = q.take(headerEnd + HEADER_END.length);
      // Transport padding after the delimiter, then the CRLF that ends the delimiter line.
      const firstLineEnd = indexOf(head, CRLF, 0);
      if (!/^[ \t]*$/.test(new TextDecoder().decode(head.subarray(0, firstLineEnd)))) throw malformed('garbage after a boundary');
      const part = parseHeaders(head.subarray(firstLineEnd + 2, head.length - 2));
      let ended = false;
      const stream = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            try {
              for (;;) {
                const at = q.find(delimiter);
                if (at !== -1) {
                  if (at > 0) controller.enqueue(q.take(at));
                  q.skip(delimiter.length);
                  ended = true;
                  controller.close();
                  return;
                }
                // Bytes that cannot be the start of a delimiter are the part's for sure.
                const safe = q.available - q.keep(delimiter);
                if (safe > 0) {
                  controller.enqueue(q.take(safe));
                  return;
                }
                if (!(await q.more())) throw malformed('unexpected end in a part');
              }
            } catch (e) {
              controller.error(e);
            }
          },
        },
        { highWaterMark: 0 },
      );
      yield { ...part, body: stream };
      if (!ended) {
        // The consumer left the part unread (or cancelled it): skip to the next delimiter.
        await stream.cancel().catch(() => undefined);
        await skipPast(q, delimiter);
      }
    }
  } finally {
    if (!finished) await q.cancel();
  }
}

/** Drops bytes up to and including the next delimiter. */
async function skipPast(q: ByteQueue, delimiter: Uint8Array): Promise<void> {
  for (;;) {
    const at = q.find(delimiter);
    if (at !== -1) {
      q.skip(at + delimiter.length);
      return;
    }
    q.skip(q.available - q.keep(delimiter));
    if (!(await q.more())) throw malformed('missing boundary');
  }
}
