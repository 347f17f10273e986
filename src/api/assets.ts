import { err } from '../core/errors';
import type { Env } from '../env';

/** The URL prefix of the service assets (`assets` is a reserved username, so it never shadows an account). */
export const ASSETS_PREFIX = '/assets/';

/**
 * `GET /assets/*`: the repository's `assets/` folder (favicon, CSS, login button), served from Workers static
 * assets through the `ASSETS` binding. `/assets/index.json` is what service info's `assets.definitions` names.
 */
export async function serveAsset(req: Request, env: Env): Promise<Response> {
  if (!env.ASSETS) throw err.unknownResource('No service assets on this deployment.');
  const url = new URL(req.url);
  url.pathname = `/${url.pathname.slice(ASSETS_PREFIX.length)}`;
  const res = await env.ASSETS.fetch(new Request(url, { method: req.method, headers: req.headers }));
  if (res.status === 404) throw err.unknownResource('Unknown asset.');
  // A fetched response's headers are immutable; the app adds CORS headers to a copy.
  return new Response(res.body, res);
}
