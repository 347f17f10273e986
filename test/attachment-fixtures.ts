import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../src/index';
import type { Env } from '../src/env';
import { BASE, type Reply } from './helpers';
import { accountD1ById } from './db-fixtures';

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

/**
 * POSTs a multipart body (FormData, or raw bytes with a Content-Type) to a user path. With `vars`, the Worker
 * runs with those variables overridden (operator limits) and the call waits for its `waitUntil` work.
 */
export async function postMultipart(
  path: string,
  token: string | undefined,
  body: FormData | { raw: BodyInit; contentType: string },
  vars?: Partial<Env>,
): Promise<Reply> {
  const headers: Record<string, string> = token === undefined ? {} : { Authorization: token };
  let payload: BodyInit;
  if (body instanceof FormData) payload = body;
  else {
    headers['Content-Type'] = body.contentType;
    payload = body.raw;
  }
  if (!vars) return reply(await SELF.fetch(`${BASE}${path}`, { method: 'POST', headers, body: payload }));
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, { method: 'POST', headers, body: payload }), { ...env, ...vars }, ctx);
  const out = await reply(res);
  await waitOnExecutionContext(ctx);
  return out;
}

/** Keys of every object in the attachments bucket under `prefix`. */
export async function blobKeys(prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.ATTACHMENTS.list({ prefix, cursor });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys;
}

/** The account's journal rows (uploads in flight, blobs awaiting deletion). */
export async function journalRows(userId: string): Promise<{ prefix: string; due: number }[]> {
  const { results } = await (await accountD1ById(userId)).prepare('SELECT prefix, due FROM blob_cleanup WHERE user_id = ?1').bind(userId).all<{ prefix: string; due: number }>();
  return results;
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
