import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCachedAccess } from '../src/auth/access-cache';
import { accesses, followedSlices } from '../src/storage/schema';
import { call, newUser } from './helpers';
import { accessRow, createAccess, db, deleteAccess, plantStreams, userRow } from './access-fixtures';

/**
 * BOLA matrix: every method of this branch × every kind of token that must not reach the victim's data.
 * Each cell checks the answer, and that no secret of the victim appears in it; afterwards the victim's
 * accesses and followed slices must be exactly as before.
 */
type Attacker = 'other user personal' | 'shared without rights' | 'narrowed app' | 'expired' | 'deleted' | 'deleted, stale KV entry';
type Expect = 'invalid-token' | 'expired' | 'forbidden' | 'own-only';

interface Op {
  method: string;
  verb: string;
  path: string;
  body?: unknown;
}

const victim = {} as {
  username: string;
  token: string;
  target: { id: string; token: string };
  slice: { id: string; accessToken: string };
  tokens: Record<Attacker, string>;
  ids: Record<Attacker, string>;
  plantDeleted: () => Promise<void>;
};

async function snapshot() {
  const user = await userRow(victim.username);
  const acc = await db().select().from(accesses).where(eq(accesses.userId, user.id));
  const fs = await db().select().from(followedSlices).where(eq(followedSlices.userId, user.id));
  // lastUsed / session slides are bookkeeping of the caller's own access, not data changes.
  return { accesses: acc.map(({ lastUsed: _l, sessionExpires: _s, ...rest }) => rest).sort((a, b) => a.id.localeCompare(b.id)), fs, streamsVersion: user.streamsVersion };
}

beforeAll(async () => {
  const v = await newUser('bola');
  await plantStreams(v.username, [['a', null], ['a1', 'a'], ['b', null]]);
  const mk = async (body: Record<string, unknown>) => {
    const res = await createAccess(v.username, v.token, body);
    if (res.status !== 201) throw new Error(res.text);
    return res.body.access as { id: string; token: string };
  };
  const target = await mk({ name: 'target', permissions: [{ streamId: 'a', level: 'manage' }] });
  const sharedNoRights = await mk({ name: 'no-rights', permissions: [{ streamId: 'b', level: 'read' }] });
  const narrowed = await mk({ name: 'narrowed', type: 'app', permissions: [{ streamId: 'a', level: 'read', tags: ['work'], fromTime: 0, toTime: 1e10 }] });
  const expired = await mk({ name: 'expired', type: 'app', expireAfter: 0, permissions: [{ streamId: 'a', level: 'manage' }] });
  const deleted = await mk({ name: 'deleted', type: 'app', permissions: [{ streamId: 'a', level: 'manage' }] });
  const deletedRow = await accessRow(deleted.id);
  const user = await userRow(v.username);
  await deleteAccess(v.username, v.token, deleted.id);
  const slice = (await call('POST', `/${v.username}/followed-slices`, { token: v.token, body: { name: 's', url: 'https://x.example/', accessToken: 'slice-secret-token' } })).body.followedSlice;
  const other = await newUser('bola');
  Object.assign(victim, {
    username: v.username,
    token: v.token,
    target,
    slice,
    tokens: {
      'other user personal': other.token,
      'shared without rights': sharedNoRights.token,
      'narrowed app': narrowed.token,
      expired: expired.token,
      deleted: deleted.token,
      'deleted, stale KV entry': deleted.token,
    },
    ids: { 'shared without rights': sharedNoRights.id, 'narrowed app': narrowed.id, expired: expired.id },
    plantDeleted: () => writeCachedAccess(env, v.username, deleted.token, user, deletedRow),
  });
});

const ops = (): Op[] => [
  { method: 'getAccessInfo', verb: 'GET', path: 'access-info' },
  { method: 'accesses.get', verb: 'GET', path: 'accesses?includeDeletions=true&includeExpired=true' },
  { method: 'accesses.create', verb: 'POST', path: 'accesses', body: { name: 'evil', permissions: [{ streamId: 'a', level: 'manage' }] } },
  { method: 'accesses.create (narrower)', verb: 'POST', path: 'accesses', body: { name: 'evil2', type: 'app', permissions: [{ streamId: 'a1', level: 'read', tags: ['work'], fromTime: 1, toTime: 2 }] } },
  { method: 'accesses.update', verb: 'PUT', path: `accesses/${victim.target.id}`, body: { permissions: [{ streamId: '*', level: 'manage' }] } },
  { method: 'accesses.delete', verb: 'DELETE', path: `accesses/${victim.target.id}` },
  { method: 'followedSlices.get', verb: 'GET', path: 'followed-slices' },
  { method: 'followedSlices.create', verb: 'POST', path: 'followed-slices', body: { name: 'evil', url: 'https://evil/', accessToken: 'x' } },
  { method: 'followedSlices.update', verb: 'PUT', path: `followed-slices/${victim.slice.id}`, body: { name: 'pwned' } },
  { method: 'followedSlices.delete', verb: 'DELETE', path: `followed-slices/${victim.slice.id}` },
  {
    method: 'callBatch',
    verb: 'POST',
    path: '',
    body: [
      { method: 'accesses.get', params: { includeDeletions: true } },
      { method: 'accesses.update', params: { id: victim.target.id, update: { name: 'pwned' } } },
      { method: 'accesses.delete', params: { id: victim.target.id } },
      { method: 'followedSlices.get', params: {} },
      { method: 'followedSlices.delete', params: { id: victim.slice.id } },
    ],
  },
];

const EXPECT: Record<Attacker, Expect> = {
  'other user personal': 'invalid-token',
  'shared without rights': 'forbidden',
  'narrowed app': 'forbidden',
  expired: 'expired',
  deleted: 'invalid-token',
  'deleted, stale KV entry': 'invalid-token',
};

/** What a token that still works may legitimately get: its own info, and (apps) a list of its own children. */
const OWN_ONLY = new Set(['getAccessInfo', 'callBatch']);

describe('BOLA matrix: accesses.*, followedSlices.*, getAccessInfo, callBatch', () => {
  for (const attacker of Object.keys(EXPECT) as Attacker[]) {
    it(`${attacker}: never reads or changes the victim's data`, async () => {
      const before = await snapshot();
      for (const op of ops()) {
        if (attacker === 'deleted, stale KV entry') await victim.plantDeleted();
        const res = await call(op.verb, `/${victim.username}/${op.path}`, { token: victim.tokens[attacker], body: op.body });
        const where = `${attacker} × ${op.method}: ${res.text.slice(0, 200)}`;
        // No secret of the victim ever appears in an answer.
        for (const secret of [victim.token, victim.target.token, victim.slice.accessToken]) expect(res.text, where).not.toContain(secret);
        const mode = EXPECT[attacker];
        if (mode === 'invalid-token') {
          expect(res.status, where).toBe(403);
          expect(res.body.error.id, where).toBe('invalid-access-token');
        } else if (mode === 'expired') {
          expect(res.status, where).toBe(403);
          expect(res.body.error, where).toMatchObject({ id: 'forbidden', message: 'Access has expired.' });
          expect(res.headers.get('Pryv-Access-Id'), where).toBe(victim.ids.expired);
        } else if (op.method === 'getAccessInfo') {
          expect(res.status, where).toBe(200);
          expect(res.body.id, where).toBe(victim.ids[attacker]);
        } else if (op.method === 'callBatch') {
          expect(res.status, where).toBe(200);
          const [get, ...writes] = res.body.results;
          if (attacker === 'narrowed app') expect(get.accesses, where).toEqual([]); // it created none
          else expect(get.error.id, where).toBe('forbidden');
          for (const r of writes) expect(r.error?.id, where).toBe('forbidden');
        } else if (op.method === 'accesses.get' && attacker === 'narrowed app') {
          expect(res.status, where).toBe(200);
          expect(res.body.accesses, where).toEqual([]);
          expect(res.body.accessDeletions, where).toEqual([]);
        } else {
          expect(res.status, where).toBe(403);
          expect(res.body.error.id, where).toBe('forbidden');
        }
        expect(OWN_ONLY.has(op.method) || res.status >= 400 || op.method === 'accesses.get', where).toBe(true);
      }
      expect(await snapshot()).toEqual(before);
    });
  }

  it('control: the same calls with the victim\'s personal token succeed (the matrix is not vacuous)', async () => {
    const ok = await call('GET', `/${victim.username}/accesses`, { token: victim.token });
    expect(ok.body.accesses.map((a: any) => a.id)).toContain(victim.target.id);
    const slices = await call('GET', `/${victim.username}/followed-slices`, { token: victim.token });
    expect(slices.body.followedSlices[0].accessToken).toBe(victim.slice.accessToken);
  });
});
