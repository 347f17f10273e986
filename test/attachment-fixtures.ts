import { SELF } from 'cloudflare:test';
import { BASE, type Reply } from './helpers';

export interface FilePart {
  name?: string;
  fileName: string;
  type?: string;
  bytes: Uint8Array | string;
}

/** A multipart body as a browser or the pryv client builds it (FormData), the event part first unless told. */
export function formData(event: unknown, files: FilePart[], opts: { eventLast?: boolean } = {}): FormData {
  const form = new FormData();
  const addEvent = () => event !== undefined && form.append('event', JSON.stringify(event));
  if (!opts.eventLast) addEvent();
  for (const f of files) form.append(f.name ?? 'file', new Blob([f.bytes], { type: f.type ?? '' }), f.fileName);
  if (opts.eventLast) addEvent();
  return form;
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** POSTs a multipart body (FormData, or raw bytes with a Content-Type) to a user path. */
export async function postMultipart(path: string, token: string | undefined, body: FormData | { raw: BodyInit; contentType: string }): Promise<Reply> {
  const headers: Record<string, string> = token === undefined ? {} : { Authorization: token };
  let payload: BodyInit;
  if (body instanceof FormData) payload = body;
  else {
    headers['Content-Type'] = body.contentType;
    payload = body.raw;
  }
  return reply(await SELF.fetch(`${BASE}${path}`, { method: 'POST', headers, body: payload }));
}

/** GETs a download: the raw response, so tests read bytes and headers. */
export function download(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { headers });
}

export const bytesOf = (text: string) => new TextEncoder().encode(text);

export async function sha256Base64(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return btoa(String.fromCharCode(...digest));
}

/** Deterministic bytes of any size (a repeating pattern, not compressible to nothing by accident). */
export function patternBytes(size: number, seed = 7): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
