/** Standard base64 of bytes (the SRI `integrity` and `Digest` forms of §4.6 and §5.5). */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
