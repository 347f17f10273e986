import type { Config } from '../config';

/** Glob where `*` matches any sequence, the empty one included; everything else is literal. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

/** The operator's patterns, else the spec's defaults plus local development hosts (§2.5). */
export function trustedAppPatterns(config: Config, publicUrl: string): string[] {
  if (config.trustedApps.length > 0) return config.trustedApps;
  const defaults = [`*@${publicUrl}*`, '*@https://pryv.github.io*', '*@https://*.backloop.dev*', '*@http://127.0.0.1*', '*@http://localhost*'];
  if (config.domain) defaults.push(`*@https://*.${config.domain}*`);
  return defaults;
}

/** The candidate origin is matched as sent; a pattern's origin `*` also accepts a missing header. */
export function isTrustedApp(patterns: string[], appId: string, origin: string): boolean {
  return patterns.some((pattern) => {
    const at = pattern.indexOf('@');
    if (at < 0) return false;
    const appPattern = pattern.slice(0, at);
    const originPattern = pattern.slice(at + 1);
    return globToRegExp(appPattern).test(appId) && globToRegExp(originPattern).test(origin);
  });
}
