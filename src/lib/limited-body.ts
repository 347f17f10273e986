import { err } from '../core/errors';

/** Reads a stream whole, refusing it (413) as soon as it passes `limit` bytes: never buffers more. */
export async function readStreamLimited(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw err.tooLarge(limit);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.byteLength;
  }
  return all;
}

/** A request body, refused (413) from its declared length or as soon as it passes `limit` bytes. */
export async function readBytesLimited(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw err.tooLarge(limit);
  return req.body ? readStreamLimited(req.body, limit) : new Uint8Array(0);
}
