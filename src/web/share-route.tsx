/**
 * HTTP entry points of the share page: `GET /s/{code}` and the classic `GET /{username}/?auth={token}` opened
 * by a browser. Every refusal is the same 404 page; responses are never cached, indexed or referred from.
 */
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Resolution } from '../auth/resolve-access';
import { tokenLookup, type AccessLookup } from '../calls/call-path';
import { dbFor } from '../storage/directory';
import { isValidUsername } from '../lib/username';
import type { PublicContext } from '../core/context';
import { ErrorPage, NotAvailablePage, SharePage, type PageLinks } from './share-page';
import { resolveShareCode } from './share-resolver';
import { htmlResponse } from './html-response';
import { SHARE_CSS } from './share-style';
import { loadShareView, MAX_PAGE } from './share-view';

/** A browser navigation to the user root (API clients never list text/html in Accept). */
export function wantsHtml(req: Request): boolean {
  const accept = req.headers.get('accept') ?? '';
  return /\btext\/html\b/i.test(accept);
}

/** The share pages' answer: no form, no script, its one stylesheet; images inline or from this origin (attachments). */
const sharePage = (page: HtmlEscapedString | Promise<HtmlEscapedString>, status: number) => htmlResponse(page, status, { css: SHARE_CSS, images: ['data:', "'self'"] });

function pageNumber(url: URL): number {
  const n = Number(url.searchParams.get('page') ?? '0');
  return Number.isInteger(n) && n > 0 ? Math.min(n, MAX_PAGE) : 0;
}

async function serve(base: PublicContext, resolve: (skipCache: boolean) => Promise<Resolution>, token: string, url: URL, links: PageLinks) {
  try {
    const view = await loadShareView(base, resolve, token, pageNumber(url));
    if (!view) return sharePage(<NotAvailablePage />, 404);
    return sharePage(<SharePage view={view} links={links} />, 200);
  } catch (e) {
    // A bug, not a refusal. Logged without the request URL, which may hold a code or a token.
    console.error('share page failed:', e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error');
    return sharePage(<ErrorPage />, 500);
  }
}

export function serveShareByCode(base: PublicContext, code: string, url: URL): Promise<Response> {
  const resolve = (skipCache: boolean) => resolveShareCode(base.env, code, base.now, base.request.waitUntil, { skipCache });
  return serve(base, resolve, '', url, { page: (n) => `?page=${n}` });
}

/** The classic form: the token in `?auth=` (or a header); paging links repeat it, no other link does. */
export function serveShareByToken(base: PublicContext, username: string, token: string | undefined, url: URL): Promise<Response> {
  // Same KV-first lookup as the API; after a guard refusal the stale entry is dropped and D1 re-read.
  const resolve: AccessLookup =
    !token || !isValidUsername(username)
      ? async () => ({ resolved: null, fromCache: false })
      : tokenLookup(base, () => dbFor(base.env, username), username, token);
  const auth = encodeURIComponent(token ?? '');
  return serve(base, resolve, token ?? '', url, { page: (n) => `?auth=${auth}&page=${n}` });
}
