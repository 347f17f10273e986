/**
 * TOTP (RFC 6238 over RFC 4226 HOTP): SHA-1, 6 digits, 30-second steps, the parameters every authenticator app
 * assumes. Written on WebCrypto HMAC rather than taken from a library (docs/decisions/021-sign-in-surface.md):
 * it is a few lines, and the libraries either pull a Node crypto shim or their own SHA-1.
 */
import { timingSafeEqual } from './crypto';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one: a phone clock a little off, a code typed at a step's end. */
export const TOTP_DRIFT_STEPS = 1;
/** 160-bit secrets, as RFC 4226 recommends. */
const SECRET_BYTES = 20;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array {
  const clean = text.toUpperCase().replace(/=+$/, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error('Invalid base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

/** A new random secret, base32 (what the provisioning URI carries and people type by hand). */
export function newTotpSecret(): string {
  return base32Encode(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

export const stepAt = (seconds: number): number => Math.floor(seconds / TOTP_STEP_SECONDS);

/** The HOTP code of `secret` for one counter value (RFC 4226 §5.3, dynamic truncation). */
export async function hotp(secret: string, counter: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', base32Decode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const message = new DataView(new ArrayBuffer(8));
  message.setUint32(0, Math.floor(counter / 2 ** 32));
  message.setUint32(4, counter >>> 0);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, message.buffer));
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}

/** The code an authenticator shows at `seconds` (Unix time). */
export const totpAt = (secret: string, seconds: number): Promise<string> => hotp(secret, stepAt(seconds));

/**
 * The step a code belongs to, among the current one and its drift neighbours, if it is newer than `lastUsedStep`
 * (a code accepted once, or an older one, is refused: replay); else null.
 */
export async function matchingStep(secret: string, code: string, seconds: number, lastUsedStep: number): Promise<number | null> {
  const normalized = code.replace(/\s+/g, '');
  if (!/^\d+$/.test(normalized) || normalized.length !== TOTP_DIGITS) return null;
  const current = stepAt(seconds);
  for (let step = current - TOTP_DRIFT_STEPS; step <= current + TOTP_DRIFT_STEPS; step++) {
    if (step <= lastUsedStep) continue;
    if (timingSafeEqual(await hotp(secret, step), normalized)) return step;
  }
  return null;
}

/** The `otpauth://` URI authenticator apps read from the QR code (Key Uri Format). */
export function provisioningUri(secret: string, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_SECONDS) });
  return `otpauth://totp/${label}?${query.toString()}`;
}
