/**
 * The params of a multipart request (§5.5): the event JSON part (for `events.create`) plus the files, each handed
 * to the call path's stager as it arrives, so no file is buffered whole. Parts may come in any order. The
 * operator's limits (files per request, bytes per request) are enforced while reading: 413 at the first byte
 * over; the stager enforces bytes per file.
 */
import type { AttachmentLimits } from '../config';
import { ApiError, err } from '../core/errors';
import type { FileStager } from '../core/uploads';
import { readStreamLimited } from '../lib/limited-body';
import { multipartBoundary, readMultipart } from './multipart';
import { BODY_LIMIT } from './request-body';

/** The type of a file part that names none. */
const DEFAULT_FILE_TYPE = 'application/octet-stream';

/** A non-file part's text, up to `limit` bytes, as UTF-8. */
async function readPartText(body: ReadableStream<Uint8Array>, limit: number): Promise<string> {
  const all = await readStreamLimited(body, limit);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(all);
  } catch {
    throw err.requestStructure('The event part is not valid UTF-8.');
  }
}

export interface MultipartLayout {
  /** `events.create`: exactly one non-file part, the event JSON. Otherwise every part must be a file. */
  eventPart: boolean;
  pathParams: Record<string, string>;
}

export async function readMultipartParams(req: Request, limits: AttachmentLimits | null, stager: FileStager, layout: MultipartLayout): Promise<unknown> {
  if (!limits) throw new ApiError('api-unavailable', 'Uploads are off: the attachment limits are misconfigured.');
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limits.maxRequestBytes) throw err.tooLarge(limits.maxRequestBytes);
  const boundary = multipartBoundary(req.headers.get('content-type') ?? '');
  let total = 0;
  const countBytes = (n: number) => {
    total += n;
    if (total > limits.maxRequestBytes) throw err.tooLarge(limits.maxRequestBytes);
  };
  let event: Record<string, unknown> | undefined;
  let files = 0;
  for await (const part of readMultipart(req.body, boundary, countBytes)) {
    if (part.fileName !== undefined) {
      files += 1;
      if (files > limits.maxFiles) throw new ApiError('payload-too-large', `At most ${limits.maxFiles} files per request.`, { limit: limits.maxFiles });
      // §4.6: the part's filename, else its field name.
      await stager.stage({ fileName: part.fileName || part.name, type: part.type ?? DEFAULT_FILE_TYPE, body: part.body });
      continue;
    }
    if (!layout.eventPart) throw err.requestStructure('Every part of this request must be a file (a part with a filename).');
    if (event !== undefined) throw err.requestStructure('A multipart event must have exactly one part without a filename: the event JSON.');
    const text = await readPartText(part.body, BODY_LIMIT);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw err.requestStructure('The event part is not valid JSON.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw err.paramsFormat('The event part must be a JSON object.');
    event = parsed as Record<string, unknown>;
    // Read-only on create (§4.1): the files are the request's own parts.
    if ('attachments' in event) throw err.paramsFormat('"attachments" is read-only: send files as parts of the request.');
  }
  if (layout.eventPart && event === undefined) throw err.requestStructure('A multipart event needs one part without a filename: the event JSON.');
  return { ...event, ...layout.pathParams, attachments: stager.result() };
}
