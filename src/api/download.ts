/**
 * The answer of a download (§5.5): the raw bytes streamed from storage with `Content-Type`, `Content-Length`,
 * `Digest: SHA-256=…`, single `Range` requests (206) so media can be sought, and the headers that keep a user's
 * file from acting as a page of this origin: `nosniff` always; active types (HTML, SVG, XML, JavaScript) are
 * sandboxed and only ever downloaded.
 */
import { err } from '../core/errors';
import type { ByteRange, FileBody } from '../core/uploads';

/** Types a browser would run or render as a document of this origin. */
const ACTIVE_TYPE = /html|xml|svg|javascript|ecmascript|jscript|xsl/;

export function isActiveType(type: string): boolean {
  return ACTIVE_TYPE.test(type.split(';')[0].trim().toLowerCase());
}

type RangeRequest = { kind: 'all' } | { kind: 'part'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * One `bytes=` range (RFC 9110 §14.1.2): `a-b`, `a-` or `-n`. Anything else (several ranges, other units,
 * malformed) is ignored and the whole file is sent, as the RFC allows.
 */
export function parseRange(header: string | null, size: number): RangeRequest {
  const m = header === null ? null : /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'all' };
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return { kind: 'all' };
  }
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'part', range: { offset: start, length: end - start + 1 } };
}

/** `Content-Disposition` with the file name, ASCII fallback first, then RFC 5987 UTF-8. */
function disposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export async function fileResponse(file: FileBody, req: Request, extra: Record<string, string>): Promise<Response> {
  const headers: Record<string, string> = {
    ...extra,
    'Content-Type': file.type,
    'Digest': `SHA-256=${file.sha256}`,
    'Accept-Ranges': 'bytes',
    // Authorized per request: a revoked token or read token must not keep working from a cache.
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
  if (isActiveType(file.type)) {
    headers['Content-Security-Policy'] = 'sandbox';
    headers['Content-Disposition'] = disposition('attachment', file.fileName);
  } else {
    headers['Content-Disposition'] = disposition('inline', file.fileName);
  }
  const wanted = parseRange(req.headers.get('range'), file.size);
  if (wanted.kind === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${file.size}`, 'Content-Length': '0' } });
  }
  const range = wanted.kind === 'part' ? wanted.range : undefined;
  const body = await file.open(range);
  if (!body) {
    // The event references bytes storage does not have: a consistency bug, reported without details.
    console.error('attachment blob missing');
    throw err.unknownResource('The content of this attachment is not available.');
  }
  if (!range) return new Response(body, { status: 200, headers: { ...headers, 'Content-Length': String(file.size) } });
  const last = range.offset + range.length - 1;
  return new Response(body, {
    status: 206,
    headers: { ...headers, 'Content-Length': String(range.length), 'Content-Range': `bytes ${range.offset}-${last}/${file.size}` },
  });
}
