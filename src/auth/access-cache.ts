import type { Env } from '../env';
import { sha256Hex } from './crypto';

/** KV key of a token: a SHA-256 of user and token, so KV never holds a raw token either. */
export async function accessCacheKey(username: string, token: string): Promise<string> {
  return `tok:${await sha256Hex(`${username}\u0000${token}`)}`;
}

/** Drops a token's cached entry (logout, deletion); D1 stays the authority whatever KV still holds. */
export async function forgetAccess(env: Env, username: string, token: string): Promise<void> {
  await env.ACCESSES.delete(await accessCacheKey(username, token));
}
