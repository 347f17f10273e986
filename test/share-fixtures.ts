import { env } from 'cloudflare:test';
import { readConfig } from '../src/config';
import type { UserContext } from '../src/methods/context';
import { mintShareLink } from '../src/web/share-links';
import { db, insertAccessRow, userRow } from './db-fixtures';
import { BASE } from './helpers';

/** The context `accesses.create` would give `mintShareLink`, for a user of the tests' Worker. */
export async function userContext(username: string): Promise<UserContext> {
  return {
    env,
    config: readConfig(env),
    db: db(),
    user: await userRow(username),
    now: Date.now() / 1000,
    request: { baseUrl: `${BASE}/`, host: new URL(BASE).host, origin: '', waitUntil: () => undefined },
  };
}

/** A shared access (inserted in D1) with a share link minted for it; returns the link's path `/s/{code}`. */
export async function sharedAccessWithLink(username: string, values: Parameters<typeof insertAccessRow>[1] = {}) {
  const access = await insertAccessRow(username, { type: 'shared', name: 'For my doctor', ...values });
  const { statement, url } = await mintShareLink(await userContext(username), access.id);
  await statement;
  return { ...access, url, path: new URL(url).pathname, code: url.slice(url.lastIndexOf('/') + 1) };
}
