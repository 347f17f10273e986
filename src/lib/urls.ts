import type { Config } from '../config';

/** The canonical user root (§2.1): `{base}{username}/` in path mode, `https://{username}.{domain}/` otherwise. */
export function userRoot(config: Config, baseUrl: string, username: string): string {
  if (config.domain) return `${new URL(baseUrl).protocol}//${username}.${config.domain}/`;
  return `${baseUrl}${username}/`;
}

/** The register root: `{base}reg/`, or `https://reg.{domain}/` in subdomain mode. */
export function registerRoot(config: Config, baseUrl: string): string {
  if (config.domain) return `${new URL(baseUrl).protocol}//reg.${config.domain}/`;
  return `${baseUrl}reg/`;
}

/** `apiEndpoint`: the user root with the token as URL userinfo, trailing `/` kept. */
export function apiEndpoint(root: string, token: string): string {
  const url = new URL(root);
  return `${url.protocol}//${token}@${url.host}${url.pathname}`;
}
