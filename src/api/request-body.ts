import { err, ApiError } from '../core/errors';
import { parseJsonInput } from '../core/json-input';

/** JSON and urlencoded bodies are capped at 10 MB (§2.6, §10). */
export const BODY_LIMIT = 10 * 1024 * 1024;

export const mediaType = (req: Request): string => (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();

/** Reads the body as text, refusing it as soon as it passes `limit` bytes (never buffers more). */
export async function readTextLimited(req: Request, limit = BODY_LIMIT): Promise<string> {
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw err.tooLarge(limit);
  if (!req.body) return '';
  const reader = req.body.getReader();
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
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(all);
  } catch {
    throw err.requestStructure('The request body is not valid UTF-8.');
  }
}

/**
 * A POST/PUT body: `{}` when missing or empty, parsed JSON otherwise (at most `maxDepth` deep; `pathPrefix`
 * says where the body sits in the params, for error paths); other media types get 415.
 */
export async function readJsonBody(req: Request, maxDepth: number, pathPrefix?: string): Promise<unknown> {
  const type = mediaType(req);
  const text = await readTextLimited(req);
  if (text.trim().length === 0) return {};
  if (type !== 'application/json') {
    throw new ApiError('unsupported-content-type', `Unsupported content type "${type || 'none'}": expected application/json.`);
  }
  return parseJsonInput(text, { maxDepth, pathPrefix, invalidMessage: 'The request body is not valid JSON.' });
}
