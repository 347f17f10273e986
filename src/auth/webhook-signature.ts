/**
 * Signed webhook bodies (beyond the reference): `Pryv-Signature: t={unix seconds},v1={hex HMAC-SHA256(secret,
 * t + "." + body)}`. The receiver recomputes the HMAC with its secret and checks `t` is recent (replay).
 */
import { toHex } from './crypto';

const enc = new TextEncoder();

/** A new per-webhook secret: 32 random bytes, hex. */
export function newWebhookSecret(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(32)).buffer as ArrayBuffer);
}

export async function signatureHeader(secret: string, body: string, unixSeconds: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, enc.encode(`${unixSeconds}.${body}`));
  return `t=${unixSeconds},v1=${toHex(mac)}`;
}
