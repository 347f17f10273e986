/**
 * Which consent pages an app may name as `authUrl` (§5.8): an entry of `access.trustedAuthUrls` (or the default
 * page) with the same scheme and host, and a path equal to the entry's or extending it on a `/` boundary. A URL
 * carrying userinfo is never trusted (it can disguise the host a person reads).
 */
function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

const trimSlash = (path: string) => (path.endsWith('/') ? path.slice(0, -1) : path);

function within(candidate: URL, entry: URL): boolean {
  if (candidate.protocol !== entry.protocol || candidate.host !== entry.host) return false;
  const base = trimSlash(entry.pathname);
  return candidate.pathname === entry.pathname || candidate.pathname === base || candidate.pathname.startsWith(`${base}/`);
}

export function isTrustedAuthUrl(url: string, trusted: readonly string[]): boolean {
  const candidate = parse(url);
  if (!candidate || candidate.username !== '' || candidate.password !== '') return false;
  if (candidate.protocol !== 'https:' && candidate.protocol !== 'http:') return false;
  return trusted.some((entry) => {
    const parsed = parse(entry);
    return parsed !== null && within(candidate, parsed);
  });
}
