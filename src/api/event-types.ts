import { directoryEtag, directoryLicense, flatDirectory } from '../event-types';

/** Public and cacheable: the directory only changes with a deploy (spec §9.4). */
const CACHE = 'public, max-age=3600';

/** `If-None-Match` holds `*` or a list of (possibly weak) tags. */
function matchesEtag(header: string | null | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === directoryEtag;
  });
}

/** `GET /event-types/flat.json`: the directory as Pryv publishes it, no token, no `meta`, 304 on a matching ETag. */
export function serveFlatDirectory(req: Request): Response {
  const headers = { 'Cache-Control': CACHE, ETag: directoryEtag };
  if (matchesEtag(req.headers.get('if-none-match'))) return new Response(null, { status: 304, headers });
  return new Response(flatDirectory(), { status: 200, headers: { ...headers, 'Content-Type': 'application/json; charset=utf-8' } });
}

/** `GET /event-types/LICENSE`: the upstream BSD-3-Clause notice the directory's license asks to reproduce. */
export function serveDirectoryLicense(): Response {
  return new Response(directoryLicense(), { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': CACHE } });
}
