import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, matchingStep, provisioningUri, stepAt, totpAt, TOTP_STEP_SECONDS } from '../src/auth/totp';

/** RFC 6238 appendix B: the SHA-1 secret "12345678901234567890", in base32. */
const RFC_SECRET = base32Encode(new TextEncoder().encode('12345678901234567890'));

describe('TOTP (RFC 6238)', () => {
  it('computes the RFC 6238 SHA-1 test vectors (last 6 of their 8 digits)', async () => {
    const vectors: [number, string][] = [
      [59, '287082'],
      [1111111109, '081804'],
      [1111111111, '050471'],
      [1234567890, '005924'],
      [2000000000, '279037'],
      [20000000000, '353130'],
    ];
    for (const [time, code] of vectors) expect(await totpAt(RFC_SECRET, time)).toBe(code);
  });

  it('round-trips base32', () => {
    const bytes = crypto.getRandomValues(new Uint8Array(20));
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
    expect(RFC_SECRET).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  it('accepts a code from the first to the last second of its step, and one step either side; not two steps away', async () => {
    const step = stepAt(1_700_000_000);
    const start = step * TOTP_STEP_SECONDS;
    const code = await totpAt(RFC_SECRET, start);
    expect(await matchingStep(RFC_SECRET, code, start, -1)).toBe(step);
    expect(await matchingStep(RFC_SECRET, code, start + TOTP_STEP_SECONDS - 0.001, -1)).toBe(step);
    // The step before and the step after (a phone clock a little off).
    expect(await matchingStep(RFC_SECRET, code, start - 1, -1)).toBe(step);
    expect(await matchingStep(RFC_SECRET, code, start + 2 * TOTP_STEP_SECONDS - 0.001, -1)).toBe(step);
    // Two steps away on either side.
    expect(await matchingStep(RFC_SECRET, code, start - TOTP_STEP_SECONDS - 1, -1)).toBeNull();
    expect(await matchingStep(RFC_SECRET, code, start + 2 * TOTP_STEP_SECONDS, -1)).toBeNull();
  });

  it('refuses a used code (replay) and any older one once a newer step was used', async () => {
    const step = stepAt(1_700_000_000);
    const now = step * TOTP_STEP_SECONDS + 5;
    const current = await totpAt(RFC_SECRET, now);
    const previous = await totpAt(RFC_SECRET, now - TOTP_STEP_SECONDS);
    expect(await matchingStep(RFC_SECRET, current, now, step)).toBeNull();
    expect(await matchingStep(RFC_SECRET, previous, now, step)).toBeNull();
    expect(await matchingStep(RFC_SECRET, previous, now, step - 2)).toBe(step - 1);
  });

  it('refuses malformed codes', async () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 34 5x']) expect(await matchingStep(RFC_SECRET, code, 1_700_000_000, -1)).toBeNull();
  });

  it('builds the Key Uri Format provisioning URI', () => {
    const uri = new URL(provisioningUri(RFC_SECRET, 'Pryv Edge', 'alice'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Pryv Edge:alice');
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret: RFC_SECRET, issuer: 'Pryv Edge', algorithm: 'SHA1', digits: '6', period: '30' });
  });
});
