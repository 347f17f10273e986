import { readTextLimited, mediaType } from './request-body';

/**
 * Method override (§2.7): a form-urlencoded POST carrying `_method`, `_auth` and `_json` becomes the request
 * it stands for. Other form fields are ignored; there is no override header.
 */
export async function applyMethodOverride(req: Request): Promise<Request> {
  if (req.method !== 'POST' || mediaType(req) !== 'application/x-www-form-urlencoded') return req;
  const form = new URLSearchParams(await readTextLimited(req));
  const method = (form.get('_method') ?? 'POST').toUpperCase();
  const headers = new Headers(req.headers);
  headers.delete('content-length');
  const auth = form.get('_auth');
  if (auth !== null) headers.set('Authorization', auth);
  const json = form.get('_json');
  if (json !== null) headers.set('Content-Type', 'application/json');
  else headers.delete('Content-Type');
  const hasBody = method === 'POST' || method === 'PUT';
  return new Request(req.url, { method, headers, body: hasBody && json !== null ? json : undefined });
}
