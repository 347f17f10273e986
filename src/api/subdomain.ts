import type { Config } from '../config';
import { isValidUsername } from '../lib/username';

/**
 * Subdomain mode (§2.1): `{username}.{domain}` maps to `/{username}`, `reg.{domain}` to `/reg`. A path that
 * repeats the username is accepted too (the prefix is stripped once). Returns the URL to route.
 */
export function rewriteSubdomain(url: URL, config: Config): URL {
  if (!config.domain) return url;
  const host = url.hostname.toLowerCase();
  const suffix = `.${config.domain}`;
  if (!host.endsWith(suffix)) return url;
  const label = host.slice(0, -suffix.length);
  if (label.includes('.')) return url;
  const out = new URL(url);
  if (label === 'reg') {
    out.pathname = `/reg${url.pathname}`;
  } else if (isValidUsername(label)) {
    const path = url.pathname === `/${label}` || url.pathname.startsWith(`/${label}/`) ? url.pathname.slice(label.length + 1) : url.pathname;
    out.pathname = `/${label}${path.startsWith('/') ? path : `/${path}`}`;
  }
  return out;
}
