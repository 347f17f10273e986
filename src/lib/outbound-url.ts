/**
 * Which URLs the server may POST to (webhooks): http(s) only, and never a loopback, private, link-local,
 * carrier-grade NAT, multicast or cloud-metadata address, nor a local name. Checked at creation and again
 * before every delivery. The WHATWG URL parser already turns every IPv4 spelling (decimal `2130706433`,
 * octal, hex, short forms) into dotted decimal, so the ranges below see the real address.
 */

/** IPv4 ranges (first address, prefix length) that are not the public internet. */
const BLOCKED_V4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
];

/** Host names that always mean this machine or a cloud's internal services. */
const BLOCKED_NAMES = ['localhost', 'metadata', 'metadata.google.internal'];
const BLOCKED_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa'];

function v4ToNumber(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function isBlockedV4(ip: string): boolean {
  const n = v4ToNumber(ip);
  if (n === null) return false;
  return BLOCKED_V4.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    const start = v4ToNumber(base)!;
    return n >= start && n < start + size;
  });
}

/** IPv6 literals: loopback, unspecified, unique-local, link-local, and IPv4-mapped or -compatible private ones. */
function isBlockedV6(host: string): boolean {
  const ip = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (ip === '::1' || ip === '::') return true;
  if (/^f[cd]/.test(ip) || /^fe[89ab]/.test(ip) || ip.startsWith('ff')) return true;
  const mapped = /^::(ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(ip);
  if (mapped) {
    const hi = parseInt(mapped[2], 16);
    const lo = parseInt(mapped[3], 16);
    return isBlockedV4(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  const dotted = /^::(ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  return dotted ? isBlockedV4(dotted[2]) : false;
}

/**
 * Why the URL may not be called, or null when it may. `allowHosts` lists host names or addresses an operator
 * lets through anyway (local tests reaching a receiver on loopback).
 */
export function outboundUrlProblem(raw: string, allowHosts: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http and https URLs can be called';
  const host = url.hostname.toLowerCase();
  if (allowHosts.includes(host) || allowHosts.includes(host.replace(/^\[|\]$/g, ''))) return null;
  if (BLOCKED_NAMES.includes(host) || BLOCKED_SUFFIXES.some((s) => host.endsWith(s))) return 'a local or internal host name';
  if (host.startsWith('[')) return isBlockedV6(host) ? 'a loopback, private or link-local address' : null;
  if (isBlockedV4(host)) return 'a loopback, private, link-local or metadata address';
  // A bare number or dotted number the parser did not normalise cannot name a public host.
  if (/^[\d.]+$/.test(host) && v4ToNumber(host) === null) return 'not a valid address';
  return null;
}
