import { env } from 'cloudflare:test';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { benchApp } from '../src/bench/app';
import { BENCH_HEADERS, instrumentD1, instrumentEnv, instrumentKv, instrumentR2, type StorageCounts } from '../src/bench/instrument';
import { NO_LATENCY, parseLatency } from '../src/bench/latency';
import { accountObject } from '../src/realtime/account-notifier';
import { runGuarded } from '../src/auth/request-guard';
import { getDb } from '../src/storage/db';
import { accesses, users } from '../src/storage/schema';
import { call, newUser } from './helpers';
import { accountD1, anyShard } from './db-fixtures';

const zero = (): StorageCounts => ({ d1: 0, kvReads: 0, r2: 0 });

describe('bench mode is off without the BENCH var (production and tests)', () => {
  it('answers the floor-B route /bench/d1 with 404 unknown-resource', async () => {
    expect(env.BENCH).toBeUndefined();
    const res = await call('GET', '/bench/d1');
    expect(res.status).toBe(404);
    expect(res.body.error.id).toBe('unknown-resource');
  });

  it('adds no instrumentation headers to public or token-authenticated responses', async () => {
    const info = await call('GET', '/reg/service/info');
    expect(info.status).toBe(200);
    const { username, token } = await newUser('bench');
    const access = await call('GET', `/${username}/access-info`, { token });
    expect(access.status).toBe(200);
    for (const res of [info, access]) {
      expect(res.headers.get(BENCH_HEADERS.d1)).toBeNull();
      expect(res.headers.get(BENCH_HEADERS.kvReads)).toBeNull();
    }
  });
});

describe('bench instrumentation counts storage calls (wrapper called directly on the real bindings)', () => {
  it('counts one D1 round trip per statement execution, batch and exec, not per prepare or bind', async () => {
    const counts = zero();
    const db = instrumentD1(anyShard(), counts);
    const stmt = db.prepare('SELECT ?1 AS v').bind(7);
    expect(counts.d1).toBe(0);
    expect(await stmt.first('v')).toBe(7);
    await db.prepare('SELECT 1').all();
    await db.prepare('SELECT 1').raw();
    await db.prepare('SELECT 1').run();
    expect(counts.d1).toBe(4);
    const out = await db.batch([db.prepare('SELECT 1 AS a'), db.prepare('SELECT ?1 AS b').bind(2)]);
    expect(out[1].results).toEqual([{ b: 2 }]);
    expect(counts.d1).toBe(5);
    await db.exec('SELECT 1');
    expect(counts.d1).toBe(6);
  });

  it('counts a guarded method round trip through Drizzle as exactly one', async () => {
    const { username } = await newUser('bench');
    const counts = zero();
    const db = getDb(instrumentD1(await accountD1(username), counts));
    const user = (await db.select().from(users).where(eq(users.username, username)))[0];
    const access = (await db.select().from(accesses).where(eq(accesses.userId, user.id)))[0];
    expect(counts.d1).toBe(2);
    const { results } = await runGuarded(db, access, Date.now() / 1000, [db.all(sql`SELECT 1 AS one`), db.select().from(users).where(eq(users.id, user.id))] as const);
    expect(results[1]).toHaveLength(1);
    expect(counts.d1).toBe(3);
  });

  it('counts KV get and getWithMetadata as reads, and writes not at all', async () => {
    const counts = zero();
    const kv = instrumentKv(env.ACCESSES, counts);
    await kv.put('bench-key', 'v');
    expect(await kv.get('bench-key')).toBe('v');
    expect((await kv.getWithMetadata('bench-key')).value).toBe('v');
    await kv.delete('bench-key');
    expect(counts.kvReads).toBe(2);
  });

  it('counts every R2 call, the calls on a multipart upload included', async () => {
    const counts = zero();
    const bucket = instrumentR2(env.ATTACHMENTS, counts);
    await bucket.put('bench/one', 'x');
    const upload = await bucket.createMultipartUpload('bench/two');
    const part = await upload.uploadPart(1, 'y');
    await upload.complete([part]);
    expect(await (await bucket.get('bench/two'))!.text()).toBe('y');
    await bucket.delete(['bench/one', 'bench/two']);
    expect(counts.r2).toBe(6);
  });

  it('serves floor B with one D1 round trip when mounted on an instrumented env', async () => {
    const bench = instrumentEnv(env);
    const res = await benchApp.fetch(new Request('http://127.0.0.1/bench/d1'), bench.env);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ one: 1 });
    expect(bench.counts).toEqual({ d1: 1, kvReads: 0, r2: 0 });
  });
});

describe('bench latency simulation (npm run bench -- --latency …, docs/scaling.md)', () => {
  /** Milliseconds one trivial query takes through an instrumented env with these settings. */
  async function timed(vars: Partial<typeof env>, start: string | null): Promise<number> {
    const bench = instrumentEnv({ ...env, ...vars });
    const before = Date.now();
    const shard = bench.env.DB_0!;
    const target = start === null ? shard : shard.withSession(start);
    await target.prepare('SELECT 1').first();
    return Date.now() - before;
  }

  it('parses d1, replica, kv and do delays, and ignores a malformed setting as a whole', () => {
    expect(parseLatency('d1=80,replica=5,kv=10')).toEqual({ d1: 80, replica: 5, kv: 10, do: 0 });
    expect(parseLatency('d1=80,disk=3')).toEqual(NO_LATENCY);
    expect(parseLatency(undefined)).toEqual(NO_LATENCY);
  });

  it('a primary round trip waits the d1 delay, a read of a replica-started session the replica delay', async () => {
    expect(await timed({ BENCH_LATENCY: 'd1=60' }, null)).toBeGreaterThanOrEqual(60);
    expect(await timed({ BENCH_LATENCY: 'd1=60' }, 'first-primary')).toBeGreaterThanOrEqual(60);
    expect(await timed({ BENCH_LATENCY: 'd1=0,replica=60' }, 'first-unconstrained')).toBeGreaterThanOrEqual(60);
  });

  it('BENCH_SESSIONS=off starts every session on the primary: a replica-started read then waits the d1 delay', async () => {
    expect(await timed({ BENCH_LATENCY: 'd1=60,replica=0', BENCH_SESSIONS: 'off' }, 'first-unconstrained')).toBeGreaterThanOrEqual(60);
  });

  it('a KV read waits the kv delay, and keeps being counted', async () => {
    const bench = instrumentEnv({ ...env, BENCH_LATENCY: 'kv=60' });
    const before = Date.now();
    await bench.env.ACCESSES.get('bench-missing-key');
    expect(Date.now() - before).toBeGreaterThanOrEqual(60);
    expect(bench.counts.kvReads).toBe(1);
  });
});

describe('bench latency simulation of the account objects', () => {
  it('an RPC to an account object waits the do delay and still reaches the object', async () => {
    const bench = instrumentEnv({ ...env, BENCH_LATENCY: 'do=60' });
    const before = Date.now();
    expect(await accountObject(bench.env, 'bench-latency-object').authorityState()).toEqual({ bookmark: null, pending: false });
    expect(Date.now() - before).toBeGreaterThanOrEqual(60);
  });
});
