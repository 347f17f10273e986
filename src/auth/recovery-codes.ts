/** Recovery codes of a two-factor enrolment: random, shown once, stored only as hashes. */
import { newToken } from '../lib/ids';
import { sha256Hex } from './crypto';

/** As many codes as the reference hands out. */
export const RECOVERY_CODE_COUNT = 10;

/** A code: 24 random characters of [a-z0-9] (≈ 120 bits), so an unsalted SHA-256 is as good as a slow hash. */
export const newRecoveryCodes = (): string[] => Array.from({ length: RECOVERY_CODE_COUNT }, () => newToken());

/** The stored form: bound to the account, insensitive to case and surrounding spaces as people type them. */
export const recoveryCodeHash = (userId: string, code: string): Promise<string> => sha256Hex(`${userId}\u0000${code.trim().toLowerCase()}`);
