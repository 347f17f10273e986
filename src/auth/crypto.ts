/** Hashing, sealing and constant-time comparison, all on Workers WebCrypto. */
import { BoundedCache, JSON_HEAP_FACTOR } from '../lib/bounded-cache';
import { sha256Hex } from '../lib/sha256';

export { sha256Hex, toHex } from '../lib/sha256';

const enc = new TextEncoder();

export function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/**
 * The stored form of a token. Custom tokens are unique per account only, so the username is part of the
 * hashed text; the raw token is never stored (docs/decisions/005-token-storage.md).
 */
export function tokenHash(username: string, token: string): Promise<string> {
  return sha256Hex(`${username}\u0000${token}`);
}

export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Imported sealing keys by secret. A deployment has one TOKEN_KEY, so this holds one entry; the bound keeps it
 * that small whatever the callers pass (docs/decisions/011-bounded-caches.md).
 */
export const SEAL_KEY_CACHE_MAX_ENTRIES = 4;
export const SEAL_KEY_CACHE_MAX_BYTES = 64 * 1024;
/** Estimated heap bytes of an imported AES key and its promise, besides the secret. */
const IMPORTED_KEY_BYTES = 512;
const keyCache = new BoundedCache<string, Promise<CryptoKey>>({
  maxEntries: SEAL_KEY_CACHE_MAX_ENTRIES,
  maxBytes: SEAL_KEY_CACHE_MAX_BYTES,
  sizeOf: (_key, secret) => JSON_HEAP_FACTOR * secret.length + IMPORTED_KEY_BYTES,
});

function sealKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle
      .digest('SHA-256', enc.encode(`token-seal\u0000${secret}`))
      .then((raw) => crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']));
    keyCache.set(secret, key);
  }
  return key;
}

/** AES-GCM sealing of a token so `accesses.get` can return it while the database holds no raw token. */
export async function sealToken(secret: string, token: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await sealKey(secret), enc.encode(token)));
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return toBase64Url(out);
}

export async function unsealToken(secret: string, sealed: string): Promise<string | null> {
  try {
    const bytes = fromBase64Url(sealed);
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, 12) }, await sealKey(secret), bytes.slice(12));
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
