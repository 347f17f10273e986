import type { Env } from '../env';

/**
 * Bench-only instrumentation (never active in production: src/index.ts uses it only when the BENCH var is set).
 * Wraps the D1 and KV bindings of ONE request so the benchmark can report the storage round trips each API
 * call costs. A fresh wrapper per request keeps concurrent requests' counts apart.
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

/** Wrapped statement → real statement, so `batch()` hands D1 the objects it created. */
const realStatements = new WeakMap<object, D1PreparedStatement>();

function wrapStatement(stmt: D1PreparedStatement, counts: StorageCounts): D1PreparedStatement {
  const wrapped = new Proxy(stmt, {
    get(target, prop) {
      if (prop === 'bind') return (...values: unknown[]) => wrapStatement(target.bind(...values), counts);
      if (STATEMENT_CALLS.has(prop)) {
        const fn = Reflect.get(target, prop, target) as (...a: unknown[]) => unknown;
        return (...args: unknown[]) => {
          counts.d1 += 1;
          return fn.apply(target, args);
        };
      }
      return forward(target, prop);
    },
  });
  realStatements.set(wrapped, stmt);
  return wrapped;
}

export function instrumentD1(db: D1Database, counts: StorageCounts): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql), counts);
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          counts.d1 += 1;
          return target.batch(statements.map((s) => realStatements.get(s) ?? s));
        };
      }
      if (prop === 'exec') {
        return (sql: string) => {
          counts.d1 += 1;
          return target.exec(sql);
        };
      }
      return forward(target, prop);
    },
  });
}

export function instrumentKv(kv: KVNamespace, counts: StorageCounts): KVNamespace {
  return new Proxy(kv, {
    get(target, prop) {
      if (KV_READS.has(prop)) {
        const fn = Reflect.get(target, prop, target) as (...a: unknown[]) => unknown;
        return (...args: unknown[]) => {
          counts.kvReads += 1;
          return fn.apply(target, args);
        };
      }
      return forward(target, prop);
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

/** A copy of `env` whose DB, ACCESSES and ATTACHMENTS count their calls into the returned `counts`. */
export function instrumentEnv(env: Env): { env: Env; counts: StorageCounts } {
  const counts: StorageCounts = { d1: 0, kvReads: 0, r2: 0 };
  return {
    env: { ...env, DB: instrumentD1(env.DB, counts), ACCESSES: instrumentKv(env.ACCESSES, counts), ATTACHMENTS: instrumentR2(env.ATTACHMENTS, counts) },
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
