/**
 * Share codes: the `{code}` of `https://{host}/s/{code}`. Minted by the server only (never client-chosen),
 * 144 random bits as 24 base64url characters, stored only as a SHA-256 hash and bound to one shared access.
 */
import type { Env } from '../env';
import { sha256Hex, toBase64Url } from './crypto';
import { dropCacheEntry } from './access-cache';
import type { UserContext } from '../core/context';
import { addShareCode, dropShareCodes } from '../storage/directory';
import { insertShareLink } from '../storage/share-links';

const CODE_BYTES = 18;

export function newShareCode(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(CODE_BYTES)));
}

/** Stored and KV-keyed form of a code; the prefix keeps it apart from token hashes. */
export function shareCodeHash(code: string): Promise<string> {
  return sha256Hex(`share-link\u0000${code}`);
}

export const shareCacheKey = (codeHash: string): string => `share:${codeHash}`;

export function shareUrl(baseUrl: string, code: string): string {
  return `${baseUrl}s/${code}`;
}

/**
 * A new link for an access being created: the insert to add to `accesses.create`'s own guarded batch (so the
 * link exists exactly when the access does) and the `shareUrl` to return. The code's account is recorded in the
 * directory first (decision 028), so a link that exists is always found; a leftover entry of a failed create
 * leads to a shard without the link, which answers as an unknown code.
 */
export async function mintShareLink(ctx: UserContext, accessId: string) {
  const code = newShareCode();
  const codeHash = await shareCodeHash(code);
  await addShareCode(ctx.env, codeHash, ctx.user.username);
  const statement = insertShareLink(ctx.db, { codeHash, userId: ctx.user.id, accessId, created: ctx.now });
  return { statement, url: shareUrl(ctx.request.baseUrl, code) };
}

/**
 * Drops the KV entries of dead links (see `deleteDeadShareLinks`). Only a speed-up: the resolver never serves
 * a KV hit without the D1 guard, so a missed entry costs one retry, never a leak.
 */
export async function forgetShareLinks(env: Env, codeHashes: readonly string[]): Promise<void> {
  await Promise.all([...codeHashes.map((h) => dropCacheEntry(env, shareCacheKey(h))), dropShareCodes(env, codeHashes)]);
}
