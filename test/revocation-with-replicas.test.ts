import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { accountAuthority } from '../src/realtime/authority-client';
import { isBookmark } from '../src/storage/sessions';
import { accessRow, createAccess, deleteAccess, plantStreams, updateAccess, userRow } from './access-fixtures';
import { call, newUser } from './helpers';
import { laggingDb, takeSnapshot, type ReplicaStats } from './lagging-replica';
import { accountD1, shardOf } from './db-fixtures';

/** A user with stream `s` and an app access reading it, already used once (so cached in KV and the isolate). */
async function userWithApp() {
  const u = await newUser('lag');
  await plantStreams(u.username, [['s', null], ['t', null]]);
  const created = await createAccess(u.username, u.token, { name: 'reader', type: 'app', permissions: [{ streamId: 's', level: 'read' }] });
  const app = created.body.access as { id: string; token: string };
  expect((await call('GET', `/${u.username}/events`, { token: app.token })).status).toBe(200);
  return { ...u, app };
}

/** A read through a location whose replica is the snapshot; `vars` waits for the request's waitUntil work. */
async function readThroughReplica(copy: string, path: string, token: string) {
  const stats: ReplicaStats = { replicaQueries: 0, primaryRoutes: 0 };
  // The shard of the path's account, seen through the lagging replica (decision 028: accounts have their own shard).
  const username = path.split('/')[1];
  // Shards with read replication enabled (decision 033: off by default, every session then starts on the primary).
  const vars = { D1_READ_REPLICATION: 'on', [await shardOf(username)]: laggingDb(copy, stats, await accountD1(username)) };
  return call('GET', path, { token, vars }).then((res) => ({ res, stats }));
}

describe('revocation stays immediate with read replicas (decision 026)', () => {
  it('a deleted access is refused by a replica that has not seen the deletion: the authority sends the read to the primary', async () => {
    const { username, token, app } = await userWithApp();
    const copy = await takeSnapshot(await accountD1(username));
    // The revocation, and the proof that the copy has not seen it.
    expect((await call('DELETE', `/${username}/accesses/${app.id}`, { token, vars: {} })).status).toBe(200);
    expect((await accessRow(app.id)).deleted).not.toBeNull();
    const stale = await env.DB_LAGGING_REPLICA.prepare('SELECT deleted FROM accesses WHERE id = ?').bind(app.id).first<{ deleted: number | null }>();
    expect(stale).toEqual({ deleted: null });
    const { res, stats } = await readThroughReplica(copy, `/${username}/events`, app.token);
    expect(res.status).toBe(403);
    expect(res.body.error.id).toBe('invalid-access-token');
    // The replica answered first (and would have accepted), then the request was re-run on the primary.
    expect(stats.replicaQueries).toBeGreaterThan(0);
    expect(stats.primaryRoutes).toBeGreaterThan(0);
  });

  it('a narrowed access runs with its new permissions even when the replica still holds the old ones', async () => {
    const { username, token, app } = await userWithApp();
    const copy = await takeSnapshot(await accountD1(username));
    const updated = await updateAccess(username, token, app.id, { permissions: [{ streamId: 't', level: 'read' }] });
    expect(updated.status).toBe(200);
    await call('GET', `/${username}/access-info`, { token, vars: {} }); // lets the update's settle run
    const { res } = await readThroughReplica(copy, `/${username}/events?streams[]=s`, app.token);
    expect(res.status).toBe(403);
    expect(res.body.error.id).toBe('forbidden');
  });

  it('while an authorization change is announced and not settled, the account\'s reads go to the primary', async () => {
    const { username, app } = await userWithApp();
    const user = await userRow(username);
    const copy = await takeSnapshot(await accountD1(username));
    const authority = accountAuthority(env);
    const ticket = await authority.announce({ userId: user.id, username });
    const during = await readThroughReplica(copy, `/${username}/events`, app.token);
    expect(during.res.status).toBe(200);
    expect(during.stats.primaryRoutes).toBeGreaterThan(0);
    await authority.settle(user.id, ticket, null);
    // Settled without a bookmark (nothing committed): still pending until it lapses, never trusted early.
    expect((await authority.state(user.id)).pending).toBe(true);
  });

  it('an account with no authorization change since the copy is served by the replica alone', async () => {
    const { username, app } = await userWithApp();
    const copy = await takeSnapshot(await accountD1(username));
    const { res, stats } = await readThroughReplica(copy, `/${username}/events`, app.token);
    expect(res.status).toBe(200);
    expect(stats.replicaQueries).toBeGreaterThan(0);
    expect(stats.primaryRoutes).toBe(0);
  });

  it('a refusal from a replica is confirmed on the primary: an access created after the copy works at once, so does a new account', async () => {
    const { username, token } = await userWithApp();
    const copy = await takeSnapshot(await accountD1(username));
    const created = await createAccess(username, token, { name: 'fresh', type: 'app', permissions: [{ streamId: 's', level: 'read' }] });
    const late = await newUser('lagnew');
    const { res } = await readThroughReplica(copy, `/${username}/events`, created.body.access.token);
    expect(res.status).toBe(200);
    const again = await readThroughReplica(copy, `/${late.username}/access-info`, late.token);
    expect(again.res.status).toBe(200);
  });

  it('an unknown token is still refused: the primary confirms the replica\'s refusal', async () => {
    const { username } = await userWithApp();
    const copy = await takeSnapshot(await accountD1(username));
    const { res, stats } = await readThroughReplica(copy, `/${username}/events`, 'no-such-token');
    expect(res.status).toBe(403);
    expect(stats.primaryRoutes).toBeGreaterThan(0);
  });

  it('without read replication a revoking call is settled at once from the primary: no ticket waits for its lapse (decision 039)', async () => {
    const { username, token, app } = await userWithApp();
    const user = await userRow(username);
    // A replica's copy from before the change, for the day the setting is turned on.
    const copy = await takeSnapshot(await accountD1(username));
    // The default setting (off): the request opens no D1 session, so it has no bookmark of its own to settle with.
    const deleted = await call('DELETE', `/${username}/accesses/${app.id}`, { token, vars: {} });
    expect(deleted.status).toBe(200);
    expect(deleted.headers.has('Pryv-Bookmark')).toBe(false);
    const state = await accountAuthority(env).state(user.id);
    expect(state.pending).toBe(false);
    expect(isBookmark(state.bookmark ?? '')).toBe(true);
    expect(state.bookmark! > copy).toBe(true);
    // Turned on, the replica that still holds the access does not judge it: the recorded bookmark is past the copy.
    const { res, stats } = await readThroughReplica(copy, `/${username}/events`, app.token);
    expect(res.status).toBe(403);
    expect(stats.primaryRoutes).toBeGreaterThan(0);
  });

  it('a deleted access stays refused through the replica after KV and the isolate cached it', async () => {
    const { username, token, app } = await userWithApp();
    const copy = await takeSnapshot(await accountD1(username));
    // Deleted behind the caches' back: no KV drop, and the replica keeps the row.
    expect((await deleteAccess(username, token, app.id)).status).toBe(200);
    await call('GET', `/${username}/access-info`, { token, vars: {} });
    for (let i = 0; i < 3; i++) {
      const { res } = await readThroughReplica(copy, `/${username}/events`, app.token);
      expect(res.status).toBe(403);
    }
  });
});
