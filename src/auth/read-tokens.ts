/**
 * Attachment read tokens (§4.6): `{accessId}-{base64url HMAC-SHA256}`, the MAC over (account, access id, file id)
 * under a key derived from the TOKEN_KEY secret. A read token only names an access and proves the server issued
 * it for that file: the download still resolves the access in D1 and checks, in the same guarded round trip,
 * that it is live and sees the event now (decision 017). So it dies with the access, or with its sight of the
 * event, whatever copy of it is cached anywhere.
 */
import { timingSafeEqual, toBase64Url } from './crypto';

const enc = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC key, derived (not the raw secret) so read tokens and sealed tokens never share a key. */
function macKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle
      .digest('SHA-256', enc.encode(`attachment-read-token\u0000${secret}`))
      .then((raw) => crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
    keys.set(secret, key);
  }
  return key;
}

async function mac(secret: string, username: string, accessId: string, fileId: string): Promise<string> {
  const message = enc.encode(`${username}\u0000${accessId}\u0000${fileId}`);
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', await macKey(secret), message)));
}

/** The read token of `fileId` for an access. */
export async function readTokenFor(secret: string, username: string, accessId: string, fileId: string): Promise<string> {
  return `${accessId}-${await mac(secret, username, accessId, fileId)}`;
}

/**
 * The access id a read token names, when its MAC is the server's for this account and file; null otherwise.
 * Access ids never contain "-" (cuid2), so the first "-" ends the id (base64url may contain "-").
 */
export async function accessIdOfReadToken(secret: string, username: string, fileId: string, readToken: string): Promise<string | null> {
  const dash = readToken.indexOf('-');
  if (dash <= 0) return null;
  const accessId = readToken.slice(0, dash);
  const expected = await mac(secret, username, accessId, fileId);
  return timingSafeEqual(readToken.slice(dash + 1), expected) ? accessId : null;
}
