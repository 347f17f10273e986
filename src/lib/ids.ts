/** Ids and tokens in cuid2's shape: 24 characters, `^[a-z][a-z0-9]{23}$`, from the CSPRNG (≈ 120 bits). */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newId(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  let out = ALPHABET[bytes[0] % 26];
  // 252 = 7 × 36: rejecting higher bytes keeps every character uniform.
  for (let i = 1; out.length < 24; i++) {
    if (i >= bytes.length) {
      crypto.getRandomValues(bytes);
      i = 0;
    }
    if (bytes[i] < 252) out += ALPHABET[bytes[i] % 36];
  }
  return out;
}

/** Tokens share the id format: URL-safe, never `@`, `:`, `/` or spaces (§10). */
export const newToken = newId;
