// Moving an account between shards (decision 028) with the steps `npm run account:move` runs, here against the
// running Worker: writes meanwhile either land (and survive the move) or get 503 account-moving; nothing is lost.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { moveAccount, MoveError } from '../scripts/account-move-steps.mjs';
import { shardsOf } from '../src/storage/directory';
import { accountD1, shardOf, userRow } from './db-fixtures';
import { call, newUser } from './helpers';

/** An account with a stream, a few events, an app access and a share link. */
async function seededAccount() {
  const u = await newUser('move');
  expect((await call('POST', `/${u.username}/streams`, { token: u.token, body: { id: 's', name: 'S' } })).status).toBe(201);
  for (let i = 0; i < 5; i++) {
    expect((await call('POST', `/${u.username}/events`, { token: u.token, body: { streamIds: ['s'], type: 'count/generic', content: i } })).status).toBe(201);
  }
  const app = await call('POST', `/${u.username}/accesses`, { token: u.token, body: { type: 'app', name: 'reader', permissions: [{ streamId: 's', level: 'read' }] } });
  const shared = await call('POST', `/${u.username}/accesses`, { token: u.token, body: { name: 'friend', permissions: [{ streamId: 's', level: 'read' }] } });
  return { ...u, appToken: app.body.access.token as string, sharePath: new URL(shared.body.access.shareUrl as string).pathname };
}

/** A shard other than the account's. */
async function otherShard(username: string): Promise<string> {
  const from = await shardOf(username);
  return shardsOf(env).find((s) => s.name !== from)!.name;
}

/** Writers pause between writes, and give up past this many (a move that never ends fails, not hangs). */
const WRITE_PAUSE_MS = 5;
const MAX_WRITES = 3000;

const eventIds = async (username: string, token: string) =>
  ((await call('GET', `/${username}/events?limit=1000`, { token })).body.events as { id: string }[]).map((e) => e.id).sort();

describe('account:move (decision 028)', () => {
  it('moves every row to the target shard, then the old tokens, the share link and the data answer from there', async () => {
    const u = await seededAccount();
    const before = await eventIds(u.username, u.token);
    const account = (await call('GET', `/${u.username}/account`, { token: u.token })).body.account;
    // Seen once before the move: the share code's access is now cached (KV and isolate) with the old shard in mind.
    expect((await call('GET', u.sharePath)).status).toBe(200);
    const from = await shardOf(u.username);
    const to = await otherShard(u.username);
    const { id } = await userRow(u.username);
    expect(await moveAccount(env, u.username, to)).toEqual({ from, to });
    expect(await shardOf(u.username)).toBe(to);
    // Nothing of the account is left on the source.
    expect(await env[from as 'DB_0']!.prepare('SELECT count(*) AS n FROM users WHERE id = ?').bind(id).first('n')).toBe(0);
    expect(await env[from as 'DB_0']!.prepare('SELECT count(*) AS n FROM events WHERE user_id = ?').bind(id).first('n')).toBe(0);
    // Through the API (this isolate still remembered the old shard: the source's "unknown" sent it to the directory).
    expect(await eventIds(u.username, u.token)).toEqual(before);
    expect(await eventIds(u.username, u.appToken)).toEqual(before);
    expect((await call('GET', `/${u.username}/account`, { token: u.token })).body.account).toEqual(account);
    expect((await call('GET', u.sharePath)).status).toBe(200);
    const written = await call('POST', `/${u.username}/events`, { token: u.token, body: { streamIds: ['s'], type: 'note/txt', content: 'after' } });
    expect(written.status).toBe(201);
    expect(await (await accountD1(u.username)).prepare('SELECT count(*) AS n FROM events WHERE id = ?').bind(written.body.event.id).first('n')).toBe(1);
  });

  it('while the account is frozen, writes get 503 account-moving with Retry-After and reads are served', async () => {
    const u = await seededAccount();
    const to = await otherShard(u.username);
    const during: { write?: number; errorId?: string; retryAfter?: string | null; read?: number; login?: number } = {};
    await moveAccount(env, u.username, to, async (line) => {
      if (!line.includes('frozen')) return;
      const write = await call('POST', `/${u.username}/events`, { token: u.token, body: { streamIds: ['s'], type: 'note/txt', content: 'x' } });
      during.write = write.status;
      during.errorId = write.body.error?.id;
      during.retryAfter = write.headers.get('Retry-After');
      during.read = (await call('GET', `/${u.username}/events`, { token: u.token })).status;
      // A sign-in writes a session (no access guard): the shard's triggers refuse it the same way.
      const login = await call('POST', `/${u.username}/auth/login`, {
        body: { username: u.username, password: u.password, appId: 'other-app' },
        headers: { Origin: 'http://127.0.0.1:8787' },
      });
      during.login = login.status;
    });
    expect(during).toEqual({ write: 503, errorId: 'account-moving', retryAfter: '5', read: 200, login: 503 });
  });

  it('concurrent writes during a move: each either lands on the target or got 503, none lost, no other answer', async () => {
    const u = await seededAccount();
    const to = await otherShard(u.username);
    const landed: string[] = [];
    const refused: number[] = [];
    const other: number[] = [];
    let moving = true;
    let sawRefusal: () => void = () => undefined;
    const refusedOnce = new Promise<void>((resolve) => (sawRefusal = resolve));
    const writer = async () => {
      // Keep writing until the move is over, then a few more (they land on the target).
      for (let extra = 0; moving || extra < 3; extra += moving ? 0 : 1) {
        const res = await call('POST', `/${u.username}/events`, { token: u.token, body: { streamIds: ['s'], type: 'note/txt', content: 'concurrent' } });
        if (res.status === 201) landed.push(res.body.event.id);
        else if (res.status === 503 && res.body.error.id === 'account-moving') {
          refused.push(res.status);
          sawRefusal();
        }
        else other.push(res.status);
        if (landed.length + refused.length + other.length > MAX_WRITES) throw new Error('the move did not end');
        // Paced, so that the move's own D1 calls from this test are not starved by the writers' requests.
        await new Promise((resolve) => setTimeout(resolve, WRITE_PAUSE_MS));
      }
    };
    const writers = [writer(), writer(), writer()];
    await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      // The move holds the account frozen until a writer has met the freeze, so both outcomes are exercised.
      await moveAccount(env, u.username, to, (line) => (line.includes('frozen') ? refusedOnce : undefined));
    } finally {
      moving = false;
      await Promise.all(writers);
    }
    expect(other).toEqual([]);
    expect(landed.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    const stored = await eventIds(u.username, u.token);
    for (const id of landed) expect(stored).toContain(id);
    // 5 seeded events plus every accepted write: nothing else, nothing missing.
    expect(stored).toHaveLength(5 + landed.length);
    expect(await shardOf(u.username)).toBe(to);
  });

  it('a Pryv-Bookmark from before the move (of the old shard) still gets an answer, from the new shard', async () => {
    const u = await seededAccount();
    // Bookmarks exist with read replication on (decision 039).
    const vars = { D1_READ_REPLICATION: 'on' };
    const written = await call('POST', `/${u.username}/events`, { token: u.token, vars, body: { streamIds: ['s'], type: 'note/txt', content: 'before' } });
    const bookmark = written.headers.get('Pryv-Bookmark')!;
    await moveAccount(env, u.username, await otherShard(u.username));
    const read = await call('GET', `/${u.username}/events?limit=1000`, { token: u.token, vars, headers: { 'Pryv-Bookmark': bookmark } });
    expect(read.status).toBe(200);
    expect(read.body.events.map((e: { id: string }) => e.id)).toContain(written.body.event.id);
  });

  it('refuses an unknown account, an unknown shard and the shard it is already on, changing nothing', async () => {
    const u = await seededAccount();
    const from = await shardOf(u.username);
    await expect(moveAccount(env, 'nobody-here', from)).rejects.toThrow(MoveError);
    await expect(moveAccount(env, u.username, 'DB_99')).rejects.toThrow(/no shard binding/);
    await expect(moveAccount(env, u.username, from)).rejects.toThrow(/already on/);
    expect(await shardOf(u.username)).toBe(from);
    expect((await call('POST', `/${u.username}/events`, { token: u.token, body: { streamIds: ['s'], type: 'note/txt', content: 'x' } })).status).toBe(201);
  });
});
