/**
 * Ed25519 signatures of audit checkpoints through WebCrypto, under the operator's `AUDIT_SIGNING_KEY` secret
 * (PKCS#8, as PEM or bare base64). The public half is derived from it, so one secret is all there is to set.
 */
import { sha256Hex } from '../lib/sha256';

const ALGORITHM = { name: 'Ed25519' } as const;
/** Hex digits of the public key's SHA-256 kept as the key id: enough to tell keys apart, short to store. */
const KEY_ID_LENGTH = 16;
const FORM = 'pryv-edge-audit-checkpoint/1';
const MS_PER_SECOND = 1000;

export interface SigningKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  keyId: string;
}

export interface Checkpoint {
  userId: string;
  seq: number;
  hash: string;
  /** When it was signed, float seconds. */
  signed: number;
}

const fromBase64 = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const toBase64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

async function importKey(secret: string): Promise<SigningKey> {
  const body = secret.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  const privateKey = await crypto.subtle.importKey('pkcs8', fromBase64(body), ALGORITHM, true, ['sign']);
  const jwk = (await crypto.subtle.exportKey('jwk', privateKey)) as JsonWebKey;
  const publicKey = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, ALGORITHM, true, ['verify']);
  const raw = (await crypto.subtle.exportKey('raw', publicKey)) as ArrayBuffer;
  const keyId = (await sha256Hex(toBase64(raw))).slice(0, KEY_ID_LENGTH);
  return { privateKey, publicKey, keyId };
}

const keys = new Map<string, Promise<SigningKey | null>>();

/**
 * The operator's key, or null when the secret is not set or is not an Ed25519 PKCS#8 key: then nothing is
 * signed and verification reports `signaturesChecked: false`; the log says why.
 */
export function signingKey(secret: string | undefined): Promise<SigningKey | null> {
  if (!secret) return Promise.resolve(null);
  let key = keys.get(secret);
  if (!key) {
    key = importKey(secret).catch((e) => {
      console.error('audit: AUDIT_SIGNING_KEY is not an Ed25519 PKCS#8 key:', e instanceof Error ? e.message : String(e));
      return null;
    });
    keys.set(secret, key);
  }
  return key;
}

/** What is signed: the account, the chain position and hash, and the signing time (in ms, as the chain). */
const checkpointForm = (c: Checkpoint) =>
  new TextEncoder().encode(JSON.stringify([FORM, c.userId, c.seq, c.hash, Math.round(c.signed * MS_PER_SECOND)]));

export async function signCheckpoint(key: SigningKey, c: Checkpoint): Promise<string> {
  return toBase64(await crypto.subtle.sign(ALGORITHM, key.privateKey, checkpointForm(c)));
}

/** The signature is the operator key's, over exactly this checkpoint. */
export async function checkpointSignedBy(key: SigningKey, c: Checkpoint & { keyId: string; signature: string }): Promise<boolean> {
  if (c.keyId !== key.keyId) return false;
  try {
    return await crypto.subtle.verify(ALGORITHM, key.publicKey, fromBase64(c.signature), checkpointForm(c));
  } catch {
    return false;
  }
}
