import { eq } from 'drizzle-orm';
import { accesses, streams } from '../src/storage/schema';
import { accountDb, inShards, userRow } from './db-fixtures';
import { call, newUser } from './helpers';

export { accountDb, userRow };

export async function accessRow(id: string) {
  return (await inShards((db) => db.select().from(accesses).where(eq(accesses.id, id))))[0];
}

/** Streams are owned by another capability; tests plant the tree they need directly in D1. */
export async function plantStreams(username: string, tree: [id: string, parentId: string | null][]) {
  const user = await userRow(username);
  await (await accountDb(username)).insert(streams).values(
    tree.map(([id, parentId]) => ({
      userId: user.id, id, name: id, parentId, clientData: null, trashed: false,
      created: 1, createdBy: 'system', modified: 1, modifiedBy: 'system',
    })),
  );
}

export const createAccess = (username: string, token: string, body: unknown) => call('POST', `/${username}/accesses`, { token, body });
export const updateAccess = (username: string, token: string, id: string, body: unknown) => call('PUT', `/${username}/accesses/${id}`, { token, body });
export const deleteAccess = (username: string, token: string, id: string) => call('DELETE', `/${username}/accesses/${id}`, { token });
export const listAccesses = (username: string, token: string, query = '') => call('GET', `/${username}/accesses${query}`, { token });

/** A user with streams a (children a1, a2), b, and an app access managing `a`. */
export async function userWithApp(appPermissions: unknown[] = [{ streamId: 'a', level: 'manage' }]) {
  const u = await newUser('acc');
  await plantStreams(u.username, [['a', null], ['a1', 'a'], ['a2', 'a'], ['b', null]]);
  const res = await createAccess(u.username, u.token, { name: 'my-app', type: 'app', permissions: appPermissions });
  if (res.status !== 201) throw new Error(`app creation failed: ${res.text}`);
  return { ...u, app: res.body.access as { id: string; token: string } };
}
