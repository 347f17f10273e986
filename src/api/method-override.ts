import * as v from 'valibot';
import { validateParams } from '../core/params';
import { readTextLimited, mediaType } from './request-body';

/** The verbs `_method` may name (§2.7), in any letter case. */
const OVERRIDE_VERBS = ['POST', 'PUT', 'DELETE'] as const;

const overrideSchema = v.object({
  _method: v.optional(
    v.pipe(v.string(), v.toUpperCase(), v.picklist(OVERRIDE_VERBS, `"_method" must be one of ${OVERRIDE_VERBS.join(', ')}.`)),
  ),
  _auth: v.optional(v.string()),
  _json: v.optional(v.string()),
});

/**
 * Method override (§2.7): a form-urlencoded POST carrying `_method`, `_auth` and `_json` becomes the request
 * it stands for. Other form fields are ignored; there is no override header. A `_method` that is not one of
 * the three verbs (empty included) is refused with 400, naming `_method`.
 */
export async function applyMethodOverride(req: Request): Promise<Request> {
  if (req.method !== 'POST' || mediaType(req) !== 'application/x-www-form-urlencoded') return req;
  const form = new URLSearchParams(await readTextLimited(req));
  const field = (name: string) => form.get(name) ?? undefined;
  const fields = validateParams(overrideSchema, { _method: field('_method'), _auth: field('_auth'), _json: field('_json') });
  const method = fields._method ?? 'POST';
  const headers = new Headers(req.headers);
  headers.delete('content-length');
  if (fields._auth !== undefined) headers.set('Authorization', fields._auth);
  if (fields._json !== undefined) headers.set('Content-Type', 'application/json');
  else headers.delete('Content-Type');
  const hasBody = method === 'POST' || method === 'PUT';
  return new Request(req.url, { method, headers, body: hasBody && fields._json !== undefined ? fields._json : undefined });
}
