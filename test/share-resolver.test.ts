import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { shareLinks } from '../src/storage/schema';
import { shareCacheKey, shareCodeHash } from '../src/auth/share-codes';
import { resolveShareCode } from '../src/web/share-resolver';
import { inShards, updateAccessRow } from './db-fixtures';
import { BASE, call, newUser } from './helpers';
import { sharedAccessWithLink } from './share-fixtures';

const now = () => Date.now() / 1000;

/** Resolves a code and waits for the KV write-back the Worker would do after its response. */
async function resolve(code: string, opts: { skipCache?: boolean } = {}) {
  const pending: Promise<unknown>[] = [];
  const out = await resolveShareCode(env, code, now(), (p: Promise<unknown>) => pending.push(p), opts);
  await Promise.all(pending);
  return out;
}

describe('share codes (minting and storage)', () => {
  it('are short, URL-safe, at least 128 random bits, and username-free', async () => {
    const { username } = await newUser('share');
    const a = await sharedAccessWithLink(username);
    const b = await sharedAccessWithLink(username, { name: 'For my coach' });
    expect(a.url).toMatch(new RegExp(`^${BASE}/s/[A-Za-z0-9_-]{22,}$`));
    expect(a.code.length * 6).toBeGreaterThanOrEqual(128);
    expect(a.url).not.toContain(username);
    expect(a.code).not.toBe(b.code);
  });

  it('are stored only as a hash', async () => {
    const { username } = await newUser('share');
    const { code, id } = await sharedAccessWithLink(username);
    const rows = await inShards((db) => db.select().from(shareLinks).where(eq(shareLinks.accessId, id)));
    expect(rows).toHaveLength(1);
    expect(rows[0].codeHash).toBe(await shareCodeHash(code));
    expect(JSON.stringify(rows)).not.toContain(code);
  });
});

describe('share links of accesses.create and accesses.delete', () => {
  const create = (username: string, token: string, body: unknown) => call('POST', `/${username}/accesses`, { token, body });

  it('returns shareUrl https://{host}/s/{code} for a shared access only', async () => {
    const { username, token } = await newUser('share');
    const shared = await create(username, token, { name: 'for the doctor', permissions: [{ streamId: '*', level: 'read' }] });
    expect(shared.status).toBe(201);
    expect(shared.body.access.shareUrl).toMatch(new RegExp(`^${BASE}/s/[A-Za-z0-9_-]{22,}$`));
    const app = await create(username, token, { name: 'an-app', type: 'app', permissions: [{ streamId: '*', level: 'read' }] });
    expect(app.status).toBe(201);
    expect(app.body.access).not.toHaveProperty('shareUrl');
    const code = shared.body.access.shareUrl.split('/s/')[1];
    expect((await resolve(code)).resolved?.access?.id).toBe(shared.body.access.id);
  });

  it('deleting the access (directly or by cascade) removes its link and the link\'s KV entry', async () => {
    const { username, token } = await newUser('share');
    const direct = (await create(username, token, { name: 'direct', permissions: [{ streamId: '*', level: 'read' }] })).body.access;
    const app = (await create(username, token, { name: 'parent-app', type: 'app', permissions: [{ streamId: '*', level: 'read' }] })).body.access;
    const child = (await create(username, app.token, { name: 'child', permissions: [{ streamId: '*', level: 'read' }] })).body.access;
    const codes = [direct, child].map((a) => a.shareUrl.split('/s/')[1] as string);
    for (const code of codes) expect((await resolve(code)).resolved).not.toBeNull(); // now cached in KV
    expect((await call('DELETE', `/${username}/accesses/${direct.id}`, { token })).status).toBe(200);
    expect((await call('DELETE', `/${username}/accesses/${app.id}`, { token })).status).toBe(200);
    for (const code of codes) {
      const hash = await shareCodeHash(code);
      expect(await env.ACCESSES.get(shareCacheKey(hash))).toBeNull();
      expect(await inShards((db) => db.select().from(shareLinks).where(eq(shareLinks.codeHash, hash)))).toHaveLength(0);
      expect((await resolve(code)).resolved).toBeNull();
    }
  });
});

describe('share resolver (code → user and access, KV first, D1 the authority)', () => {
  it('resolves a live shared access from D1, then from KV', async () => {
    const { username } = await newUser('share');
    const { code, id } = await sharedAccessWithLink(username);
    const first = await resolve(code);
    expect(first.fromCache).toBe(false);
    expect(first.resolved?.access?.id).toBe(id);
    expect(first.resolved?.user.username).toBe(username);
    const second = await resolve(code);
    expect(second.fromCache).toBe(true);
    expect(second.resolved?.access?.id).toBe(id);
    const cached = await env.ACCESSES.get(shareCacheKey(await shareCodeHash(code)));
    expect(cached).not.toContain('passwordHash');
    expect(cached).not.toContain(code);
  });

  it('finds nothing for an unknown code', async () => {
    const out = await resolve('AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(out.resolved).toBeNull();
  });

  it('finds nothing once the access is deleted, and skipCache drops the KV entry', async () => {
    const { username } = await newUser('share');
    const { code, id } = await sharedAccessWithLink(username);
    await resolve(code); // cached
    await updateAccessRow(id, { deleted: now() });
    const fresh = await resolve(code, { skipCache: true });
    expect(fresh.resolved).toBeNull();
    expect(await env.ACCESSES.get(shareCacheKey(await shareCodeHash(code)))).toBeNull();
  });

  it('does not cache an expired access', async () => {
    const { username } = await newUser('share');
    const { code } = await sharedAccessWithLink(username, { expires: now() - 10 });
    await resolve(code);
    expect(await env.ACCESSES.get(shareCacheKey(await shareCodeHash(code)))).toBeNull();
  });
});

describe('share link refusals (one page for every case)', () => {
  const notAvailable = async (path: string, headers: Record<string, string> = {}) => {
    const res = await call('GET', path, { headers: { Accept: 'text/html', ...headers } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('Link not available');
    return res.text;
  };

  it('answers unknown, revoked and expired links with the same 404 page', async () => {
    const { username } = await newUser('share');
    const revoked = await sharedAccessWithLink(username);
    await updateAccessRow(revoked.id, { deleted: now() });
    const expired = await sharedAccessWithLink(username, { expires: now() - 1 });
    const pages = [
      await notAvailable('/s/AAAAAAAAAAAAAAAAAAAAAAAA'),
      await notAvailable(revoked.path),
      await notAvailable(expired.path),
      await notAvailable('/s/%3Cscript%3E'),
    ];
    expect(new Set(pages).size).toBe(1);
    expect(pages[0]).not.toContain(username);
  });

  it('answers the classic form with the same page for an unknown user, a missing or an unknown token', async () => {
    const { username } = await newUser('share');
    const pages = [
      await notAvailable(`/${username}/?auth=nope`),
      await notAvailable(`/${username}/`),
      await notAvailable('/nobody-here-at-all/?auth=nope'),
    ];
    expect(new Set(pages).size).toBe(1);
  });

  it('keeps API clients on the JSON API at the user root', async () => {
    const { username } = await newUser('share');
    const res = await call('GET', `/${username}/?auth=nope`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('sends no-store, no-referrer, noindex and a strict script-free CSP', async () => {
    const res = await call('GET', '/s/AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-robots-tag')).toMatch(/noindex/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/script-src|unsafe-inline|unsafe-eval/);
    expect(res.text).not.toMatch(/<script/i);
  });
});
