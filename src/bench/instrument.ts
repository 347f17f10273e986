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
}

export const BENCH_HEADERS = { d1: 'X-Bench-D1', kvReads: 'X-Bench-KV' } as const;

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

/** The binding, or one of its sessions (D1 Sessions API): both prepare and batch statements. */
type Queryable = Pick<D1Database, 'prepare' | 'batch'> & Partial<Pick<D1Database, 'exec' | 'withSession'>>;

export function instrumentD1<T extends Queryable>(db: T, counts: StorageCounts): T {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql), counts);
      // Each request's session (src/storage/sessions.ts) counts like the binding.
      if (prop === 'withSession' && target.withSession) {
        const open = target.withSession.bind(target);
        return (start?: string) => instrumentD1(open(start), counts);
      }
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          counts.d1 += 1;
          return target.batch(statements.map((s) => realStatements.get(s) ?? s));
        };
      }
      if (prop === 'exec' && target.exec) {
        const exec = target.exec.bind(target);
        return (sql: string) => {
          counts.d1 += 1;
          return exec(sql);
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

/** A copy of `env` whose DB and ACCESSES count their calls into the returned `counts`. */
export function instrumentEnv(env: Env): { env: Env; counts: StorageCounts } {
  const counts: StorageCounts = { d1: 0, kvReads: 0 };
  return { env: { ...env, DB: instrumentD1(env.DB, counts), ACCESSES: instrumentKv(env.ACCESSES, counts) }, counts };
}

/** The response with the request's counts as headers (counted up to the moment the headers are sent). */
export function withCountHeaders(res: Response, counts: StorageCounts): Response {
  const out = new Response(res.body, res);
  out.headers.set(BENCH_HEADERS.d1, String(counts.d1));
  out.headers.set(BENCH_HEADERS.kvReads, String(counts.kvReads));
  return out;
}
