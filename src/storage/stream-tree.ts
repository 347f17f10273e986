import { eq, sql } from 'drizzle-orm';
import { BoundedCache, jsonHeapBytes } from '../lib/bounded-cache';
import { abortExpression } from './d1-errors';
import type { Db } from './db';
import { allFixed, fixedSql } from './fixed-statements';
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

export function cachedTree(userId: string): StreamTree | undefined {
  return cache.get(userId);
}

/** The one statement that reads a user's streams (streams.get and tree loads). */
export function selectStreams(db: Db, userId: string) {
  return db.select().from(streams).where(eq(streams.userId, userId));
}

/** Every stream change bumps the user's tree version (the stream-tree cache key), in the same batch. */
export function bumpStreamsVersion(db: Db, userId: string) {
  return db.update(users).set({ streamsVersion: sql`${users.streamsVersion} + 1` }).where(eq(users.id, userId));
}

/** Checks made by `treeVersionCheck`, so a batch can recognise them among other statements (decision 022). */
const checks = new WeakMap<object, { userId: string; version: number }>();

const TREE_VERSION_CHECK = fixedSql(
  `SELECT CASE WHEN (SELECT streams_version FROM users WHERE id = ?) = ? THEN 1 ELSE ${abortExpression('tree-changed')} END AS ok`,
);

/**
 * First statement of a write batch planned on a cached tree: when the version moved, it aborts the batch
 * ('tree-changed'), so D1 rolls it back and the call is re-planned.
 */
export function treeVersionCheck(db: Db, userId: string, version: number) {
  const check = allFixed<{ ok: number }>(db, TREE_VERSION_CHECK, [userId, version]);
  checks.set(check, { userId, version });
  return check;
}

export function checkedTreeVersion(statement: object) {
  return checks.get(statement);
}
