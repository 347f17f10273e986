import { eq, sql } from 'drizzle-orm';
import { BoundedCache, jsonHeapBytes } from '../lib/bounded-cache';
import type { AccessContext } from '../methods/context';
import type { Db } from './db';
import { streams, users, type StreamRow } from './schema';

/** Ascending code-point order (§5.6), not UTF-16 code-unit order. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** A user's whole stream tree, as of one `streams_version`; immutable once built. */
export class StreamTree {
  readonly byId = new Map<string, StreamRow>();
  /** Children ids by parent id (`null` for roots), siblings sorted by name. */
  readonly children = new Map<string | null, StreamRow[]>();

  constructor(
    readonly version: number,
    rows: readonly StreamRow[],
  ) {
    for (const row of rows) this.byId.set(row.id, row);
    for (const row of rows) {
      // A row whose parent vanished is treated as a root rather than lost.
      const parent = row.parentId !== null && this.byId.has(row.parentId) ? row.parentId : null;
      const list = this.children.get(parent);
      if (list) list.push(row);
      else this.children.set(parent, [row]);
    }
    for (const list of this.children.values()) list.sort((a, b) => compareCodePoints(a.name, b.name));
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): StreamRow | undefined {
    return this.byId.get(id);
  }

  /** `null` for a root, `undefined` for an unknown stream (the `ParentOf` of permissions). */
  readonly parentOf = (id: string): string | null | undefined => {
    const row = this.byId.get(id);
    if (!row) return undefined;
    return row.parentId !== null && this.byId.has(row.parentId) ? row.parentId : null;
  };

  childrenOf(id: string | null): readonly StreamRow[] {
    return this.children.get(id) ?? [];
  }

  /** A stream is in trash when it or an ancestor is trashed (§6.4). */
  inTrash(id: string): boolean {
    for (let cur: string | null | undefined = id; cur; cur = this.parentOf(cur)) {
      if (this.byId.get(cur)?.trashed) return true;
    }
    return false;
  }

  /** `id` and all its descendants, depth first. */
  subtree(id: string): string[] {
    const out: string[] = [];
    const stack = [id];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      out.push(cur);
      for (const child of this.childrenOf(cur)) stack.push(child.id);
    }
    return out;
  }

  /** Whether `candidate` is `root` or lies below it. */
  isInSubtree(candidate: string, root: string): boolean {
    for (let cur: string | null | undefined = candidate; cur; cur = this.parentOf(cur)) if (cur === root) return true;
    return false;
  }

  get size(): number {
    return this.byId.size;
  }
}

/** Bounds of the tree cache below (docs/decisions/011-bounded-caches.md); the bench's 200-stream tree is ~100 KB. */
export const TREE_CACHE_MAX_ENTRIES = 500;
export const TREE_CACHE_MAX_BYTES = 16 * 1024 * 1024;
/** A larger tree (some 16,000 streams) is loaded on every call instead of evicting every other user's. */
export const TREE_MAX_BYTES = 8 * 1024 * 1024;

/** Estimated heap bytes of a tree: its rows (the Maps and child lists around them are in the JSON factor). */
function treeHeapBytes(tree: StreamTree): number {
  let bytes = 0;
  for (const row of tree.byId.values()) bytes += jsonHeapBytes(row);
  return bytes;
}

/**
 * Per-isolate cache of stream trees, keyed by user id and validated by `users.streams_version`: every stream
 * change bumps that version in its own batch, and `ctx.run` returns the version current in D1, so a stale tree
 * is noticed inside the same round trip (reads compare, writes abort through `treeVersionCheck`).
 */
const cache = new BoundedCache<string, StreamTree>({
  maxEntries: TREE_CACHE_MAX_ENTRIES,
  maxBytes: TREE_CACHE_MAX_BYTES,
  maxEntryBytes: TREE_MAX_BYTES,
  sizeOf: treeHeapBytes,
});

export function rememberTree(userId: string, tree: StreamTree): void {
  cache.set(userId, tree);
}

export function forgetTree(userId: string): void {
  cache.delete(userId);
}

/** The one statement that reads a user's streams (streams.get and tree loads). */
export function selectStreams(db: Db, userId: string) {
  return db.select().from(streams).where(eq(streams.userId, userId));
}

/** Bumps the tree version: part of every batch that changes streams. */
export function bumpStreamsVersion(db: Db, userId: string) {
  return db.update(users).set({ streamsVersion: sql`${users.streamsVersion} + 1` }).where(eq(users.id, userId));
}

/** Raised when D1's stream tree is newer than the one a call was planned with. */
export class StaleTreeError extends Error {}

/**
 * First statement of a write batch planned on a cached tree: when the version moved, `abs()` of the smallest
 * integer raises "integer overflow", so D1 rolls the whole batch back and the call is re-planned.
 */
export function treeVersionCheck(db: Db, userId: string, version: number) {
  return db.all(
    sql`SELECT CASE WHEN (SELECT streams_version FROM users WHERE id = ${userId}) = ${version} THEN 1 ELSE abs(-9223372036854775807 - 1) END AS ok`,
  );
}

const isVersionAbort = (e: unknown): boolean => {
  const text = e instanceof Error ? `${e.message} ${String((e as { cause?: unknown }).cause ?? '')}` : String(e);
  return /integer overflow/i.test(text);
};

type Stmt = Parameters<AccessContext['run']>[0][number];

/** Runs write statements behind the tree-version check; a moved version becomes `StaleTreeError`. */
export async function runWrite(ctx: AccessContext, tree: StreamTree, statements: Stmt[]): Promise<unknown[]> {
  try {
    const { results } = await ctx.run([treeVersionCheck(ctx.db, ctx.user.id, tree.version), ...statements]);
    return (results as unknown[]).slice(1);
  } catch (e) {
    if (isVersionAbort(e)) throw new StaleTreeError();
    throw e;
  }
}

/** Runs read statements; answers planned on an outdated tree are refused with `StaleTreeError`. */
export async function runRead(ctx: AccessContext, tree: StreamTree, statements: Stmt[]): Promise<unknown[]> {
  const { streamsVersion, results } = await ctx.run(statements);
  if (streamsVersion !== tree.version) throw new StaleTreeError();
  return results as unknown[];
}

/** Loads the tree in one round trip and caches it. */
export async function loadTree(ctx: AccessContext): Promise<StreamTree> {
  const { streamsVersion, results } = await ctx.run([selectStreams(ctx.db, ctx.user.id)]);
  const tree = new StreamTree(streamsVersion, results[0]);
  rememberTree(ctx.user.id, tree);
  return tree;
}

/**
 * Runs `attempt` with the cached tree (loading it when absent); when it turns out stale, reloads and retries.
 * Attempts must do their D1 work through `runRead` / `runWrite` so staleness is detected. An error decided on a
 * cached tree before any round trip (unknown stream, 403…) is only answered once a fresh load confirms the tree.
 */
export async function withTree<R>(ctx: AccessContext, attempt: (tree: StreamTree) => Promise<R>): Promise<R> {
  const cached = cache.get(ctx.user.id);
  let tree = cached ?? (await loadTree(ctx));
  let fresh = cached === undefined;
  for (let i = 0; ; i++) {
    try {
      return await attempt(tree);
    } catch (e) {
      if (i >= 3) throw e;
      if (e instanceof StaleTreeError) {
        forgetTree(ctx.user.id);
        tree = await loadTree(ctx);
        fresh = true;
        continue;
      }
      if (fresh) throw e;
      const reloaded = await loadTree(ctx);
      if (reloaded.version === tree.version) throw e;
      tree = reloaded;
      fresh = true;
    }
  }
}
