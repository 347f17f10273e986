/**
 * Extracts the access token from a request (§2.2): `Authorization` (plain, Bearer or Basic), else `?auth=`.
 * Returns undefined when none is given; an empty string is a given-but-unknown token (403).
 */
export function extractToken(req: Request, url: URL, opts: { query?: boolean } = {}): string | undefined {
  const header = req.headers.get('authorization');
  if (header !== null && header.trim() !== '') {
    const value = header.trim();
    const space = value.indexOf(' ');
    // Header values arrive trimmed, so `Basic ` + base64("") is just `Basic`: a scheme with an empty credential.
    const scheme = (space > 0 ? value.slice(0, space) : value).toLowerCase();
    const rest = space > 0 ? value.slice(space + 1).trim() : '';
    if (scheme === 'bearer') return rest === '' ? undefined : firstWord(rest);
    if (scheme === 'basic') {
      let decoded: string;
      try {
        decoded = atob(rest);
      } catch {
        return '';
      }
      if (decoded === '') return undefined;
      const colon = decoded.indexOf(':');
      return colon >= 0 ? decoded.slice(0, colon) : decoded;
    }
    // The caller-id part after a space is ignored (LATER).
    return firstWord(value);
  }
  // Downloads take no `?auth=` (§2.2 form 4): the transport refuses it there.
  if (opts.query === false) return undefined;
  const auth = url.searchParams.get('auth');
  return auth === null || auth === '' ? undefined : auth;
}

const firstWord = (text: string): string => text.trim().split(' ')[0];
