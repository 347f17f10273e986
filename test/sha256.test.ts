import { describe, expect, it } from 'vitest';
import { sha256Hex, toHex } from '../src/lib/sha256';

describe('SHA-256 as hex (token hashes, audit chain)', () => {
  it('gives the standard digest of known inputs, in lowercase hex', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    // UTF-8, not UTF-16: a non-ASCII character hashes as its bytes.
    expect(await sha256Hex('\u00e9')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
  });

  it('writes every byte as two digits, from an ArrayBuffer or a Uint8Array', () => {
    expect(toHex(new Uint8Array([0, 1, 15, 16, 171, 255]))).toBe('00010f10abff');
    expect(toHex(new Uint8Array([0, 255]).buffer)).toBe('00ff');
    expect(toHex(new Uint8Array(0))).toBe('');
  });
});
