import { env } from 'cloudflare:test';
import { baseContext } from '../src/calls/base-context';
import type { UserContext } from '../src/core/context';
import { mintShareLink } from '../src/auth/share-codes';
import { accountDb, insertAccessRow, userRow } from './db-fixtures';
import { BASE } from './helpers';

/** The context `accesses.create` would give `mintShareLink`, for a user of the tests' Worker. */
export async function userContext(username: string): Promise<UserContext> {
  const base = baseContext(env, { baseUrl: `${BASE}/`, host: new URL(BASE).host, origin: '', ip: '', waitUntil: () => undefined });
  return { ...base, db: await accountDb(username), user: await userRow(username) };
}

/** A shared access (inserted in D1) with a share link minted for it; returns the link's path `/s/{code}`. */
export async function sharedAccessWithLink(username: string, values: Parameters<typeof insertAccessRow>[1] = {}) {
  const access = await insertAccessRow(username, { type: 'shared', name: 'For my doctor', ...values });
  const { statement, url } = await mintShareLink(await userContext(username), access.id);
  await statement;
  return { ...access, url, path: new URL(url).pathname, code: url.slice(url.lastIndexOf('/') + 1) };
}
