import type { Env } from '../env';
import { NO_LATENCY, parseLatency, pause, type Latency } from './latency';

/**
 * Bench-only instrumentation (never active in production: src/index.ts uses it only when the BENCH var is set).
 * Wraps the D1 and KV bindings of ONE request so the benchmark can report the storage round trips each API
 * call costs. A fresh wrapper per request keeps concurrent requests' counts apart. With `BENCH_LATENCY` it
 * also waits before each round trip (src/bench/latency.ts); `BENCH_SESSIONS=off` starts every D1 session on
 * the primary, to compare with read replication off.
 */
export interface StorageCounts {
  /** D1 round trips: each `batch()`, `exec()`, and `first/all/run/raw` of a prepared statement. */
  d1: number;
  /** KV reads: `get` and `getWithMetadata`. */
  kvReads: number;
  /** R2 operations: every bucket call and every call on a multipart upload (part, complete, abort). */
  r2: number;
}

export const BENCH_HEADERS = { d1: 'X-Bench-D1', kvReads: 'X-Bench-KV', r2: 'X-Bench-R2' } as const;

const STATEMENT_CALLS = new Set<PropertyKey>(['first', 'all', 'run', 'raw']);
const KV_READS = new Set<PropertyKey>(['get', 'getWithMetadata']);

/** Property access forwarded to the real binding, methods bound to it (its internals may use private fields). */
function forward(target: object, prop: PropertyKey): unknown {
  const value = Reflect.get(target, prop, target);
  return typeof value === 'function' ? value.bind(target) : value;
}

/** Wrapped statement → real statement, so `batch()` hands D1 the objects it created; and its SQL. */
const realStatements = new WeakMap<object, { stmt: D1PreparedStatement; sql: string }>();

/** How long one round trip of these statements waits (the latency simulation). */
type Delay = (sqls: string[]) => number;

const isWrite = (sql: string) => !/^\s*(select|with)\b/i.test(sql);

/** Waits the round trip's simulated latency, then runs it. */
async function after<T>(ms: number, run: () => Promise<T>): Promise<T> {
  await pause(ms);
  return run();
}

function wrapStatement(stmt: D1PreparedStatement, sql: string, counts: StorageCounts, delay: Delay): D1PreparedStatement {
  const wrapped = new Proxy(stmt, {
    get(target, prop) {
      if (prop === 'bind') return (...values: unknown[]) => wrapStatement(target.bind(...values), sql, counts, delay);
      if (STATEMENT_CALLS.has(prop)) {
        const fn = Reflect.get(target, prop, target) as (...a: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => {
          counts.d1 += 1;
          return after(delay([sql]), () => fn.apply(target, args));
        };
      }
      return forward(target, prop);
    },
  });
  realStatements.set(wrapped, { stmt, sql });
  return wrapped;
}

/** The binding, or one of its sessions (D1 Sessions API): both prepare and batch statements. */
type Queryable = Pick<D1Database, 'prepare' | 'batch'> & Partial<Pick<D1Database, 'exec' | 'withSession'>>;

/** Where a session's round trips go: a session started on a replica reads there and writes on the primary. */
function sessionDelay(start: string | undefined, latency: Latency): Delay {
  if (start === 'first-primary') return () => latency.d1;
  return (sqls) => (sqls.some(isWrite) ? latency.d1 : latency.replica);
}

export function instrumentD1<T extends Queryable>(db: T, counts: StorageCounts, latency: Latency = NO_LATENCY, delay: Delay = () => latency.d1, sessions = true): T {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql), sql, counts, delay);
      // Each request's session (src/storage/sessions.ts) counts like the binding.
      if (prop === 'withSession' && target.withSession) {
        const open = target.withSession.bind(target);
        return (start?: string) => {
          const where = sessions ? start : 'first-primary';
          return instrumentD1(open(where), counts, latency, sessionDelay(where, latency), sessions);
        };
      }
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          counts.d1 += 1;
          const real = statements.map((s) => realStatements.get(s) ?? { stmt: s, sql: '' });
          return after(delay(real.map((r) => r.sql)), () => target.batch(real.map((r) => r.stmt)));
        };
      }
      if (prop === 'exec' && target.exec) {
        const exec = target.exec.bind(target);
        return (sql: string) => {
          counts.d1 += 1;
          return after(latency.d1, () => exec(sql));
        };
      }
      return forward(target, prop);
    },
  });
}

export function instrumentKv(kv: KVNamespace, counts: StorageCounts, latency: Latency = NO_LATENCY): KVNamespace {
  return new Proxy(kv, {
    get(target, prop) {
      if (KV_READS.has(prop)) {
        const fn = Reflect.get(target, prop, target) as (...a: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => {
          counts.kvReads += 1;
          return after(latency.kv, () => fn.apply(target, args));
        };
      }
      return forward(target, prop);
    },
  });
}

/** The account objects, each RPC waiting the simulated distance to the object first. */
function delayedObjects(ns: DurableObjectNamespace, ms: number): DurableObjectNamespace {
  if (ms <= 0) return ns;
  return new Proxy(ns, {
    get(target, prop) {
      if (prop !== 'get') return forward(target, prop);
      return (id: DurableObjectId) => {
        const stub = target.get(id);
        return new Proxy(stub, {
          get(s, name) {
            const value = Reflect.get(s, name) as unknown;
            if (typeof value !== 'function') return value;
            // RPC stubs answer any property, `apply` included: call through Reflect.
            return (...args: unknown[]) => after(ms, () => Reflect.apply(value, s, args) as Promise<unknown>);
          },
        });
      };
    },
  });
}

const R2_CALLS = new Set<PropertyKey>(['head', 'get', 'put', 'createMultipartUpload', 'resumeMultipartUpload', 'delete', 'list']);
const R2_UPLOAD_CALLS = new Set<PropertyKey>(['uploadPart', 'complete', 'abort']);

/** Counts `calls` on `target`; results that are multipart uploads are counted too. */
function countingProxy<T extends object>(target: T, calls: Set<PropertyKey>, counts: StorageCounts): T {
  return new Proxy(target, {
    get(t, prop) {
      if (!calls.has(prop)) return forward(t, prop);
      const fn = Reflect.get(t, prop, t) as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => {
        counts.r2 += 1;
        const out = fn.apply(t, args);
        if (prop !== 'createMultipartUpload' && prop !== 'resumeMultipartUpload') return out;
        const wrap = (upload: R2MultipartUpload) => countingProxy(upload, R2_UPLOAD_CALLS, counts);
        return out instanceof Promise ? out.then(wrap) : wrap(out as R2MultipartUpload);
      };
    },
  });
}

export function instrumentR2(bucket: R2Bucket, counts: StorageCounts): R2Bucket {
  return countingProxy(bucket, R2_CALLS, counts);
}

/**
 * A copy of `env` whose DB, ACCESSES and ATTACHMENTS count their calls into the returned `counts` (and whose
 * D1, KV and account objects wait, when a latency is simulated).
 */
export function instrumentEnv(env: Env): { env: Env; counts: StorageCounts } {
  const counts: StorageCounts = { d1: 0, kvReads: 0, r2: 0 };
  const latency = parseLatency(env.BENCH_LATENCY);
  const sessions = env.BENCH_SESSIONS !== 'off';
  return {
    env: {
      ...env,
      DB: instrumentD1(env.DB, counts, latency, () => latency.d1, sessions),
      ACCESSES: instrumentKv(env.ACCESSES, counts, latency),
      ATTACHMENTS: instrumentR2(env.ATTACHMENTS, counts),
      ACCOUNTS: delayedObjects(env.ACCOUNTS, latency.do),
    },
    counts,
  };
}

/** The response with the request's counts as headers (counted up to the moment the headers are sent). */
export function withCountHeaders(res: Response, counts: StorageCounts): Response {
  const out = new Response(res.body, res);
  out.headers.set(BENCH_HEADERS.d1, String(counts.d1));
  out.headers.set(BENCH_HEADERS.kvReads, String(counts.kvReads));
  out.headers.set(BENCH_HEADERS.r2, String(counts.r2));
  return out;
}
