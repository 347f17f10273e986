import { err, ApiError } from '../core/errors';
import { parseJsonInput } from '../core/json-input';
import { readBytesLimited } from '../lib/limited-body';

/** JSON and urlencoded bodies are capped at 10 MB (§2.6, §10). */
export const BODY_LIMIT = 10 * 1024 * 1024;

export const mediaType = (req: Request): string => (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();

/** Reads the body as text, refusing it as soon as it passes `limit` bytes (never buffers more). */
export async function readTextLimited(req: Request, limit = BODY_LIMIT): Promise<string> {
  const all = await readBytesLimited(req, limit);
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
