/**
 * SHA-256 as lowercase hex, and bytes as hex: token hashes are computed on every request (the access cache's
 * key), audit record hashes on every append. A table of the 256 byte strings turns a digest into hex without an
 * array and 32 `padStart` calls per hash.
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const utf8 = new TextEncoder();

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (const byte of view) out += HEX[byte];
  return out;
}

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', utf8.encode(text)));
}
