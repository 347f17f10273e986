/**
 * A least-recently-used map bounded by entry count and by an estimate of its bytes, for the per-isolate caches
 * (docs/decisions/011-bounded-caches.md). An isolate lives for many requests of many users, so a cache keyed by
 * user or token must stop growing at a known size whatever the traffic.
 */
/**
 * Heap bytes of a JSON-like value, estimated as 2 per character of its JSON: V8 (Node 22) measured about 1.5 for rows
 * and entries of one-byte text (objects, Maps and arrays included), and two-byte strings double their characters.
 */
export const JSON_HEAP_FACTOR = 2;

export function jsonHeapBytes(value: unknown): number {
  return JSON_HEAP_FACTOR * (JSON.stringify(value)?.length ?? 0);
}

export interface CacheLimits<K, V> {
  /** Most entries kept. */
  maxEntries: number;
  /** Most bytes kept, as summed by `sizeOf`. */
  maxBytes: number;
  /** Largest single entry kept (default `maxBytes`): one huge entry must not flush all the others. */
  maxEntryBytes?: number;
  /** Approximate bytes of one entry (its key included); it needs to be proportionate, not exact. */
  sizeOf: (value: V, key: K) => number;
}

export class BoundedCache<K, V> {
  // A Map iterates in insertion order, so re-inserting on use keeps the least recently used entry first.
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private totalBytes = 0;
  private readonly maxEntryBytes: number;

  constructor(private readonly limits: CacheLimits<K, V>) {
    this.maxEntryBytes = Math.min(limits.maxEntryBytes ?? limits.maxBytes, limits.maxBytes);
  }

  /** The value under `key`, now the most recently used; undefined on a miss. */
  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  /**
   * Stores `value` as the most recently used entry, evicting the least recently used ones until both bounds
   * hold. An entry larger than `maxEntryBytes` is not stored (and replaces nothing: the old value is dropped,
   * as it is stale). Returns whether the value was stored.
   */
  set(key: K, value: V): boolean {
    this.delete(key);
    const bytes = this.limits.sizeOf(value, key);
    if (bytes > this.maxEntryBytes) return false;
    while (this.entries.size > 0 && (this.entries.size >= this.limits.maxEntries || this.totalBytes + bytes > this.limits.maxBytes)) {
      this.delete(this.entries.keys().next().value as K);
    }
    this.entries.set(key, { value, bytes });
    this.totalBytes += bytes;
    return true;
  }

  delete(key: K): boolean {
    const hit = this.entries.get(key);
    if (!hit) return false;
    this.entries.delete(key);
    this.totalBytes -= hit.bytes;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The estimated bytes held (sum of `sizeOf` over the entries). */
  get bytes(): number {
    return this.totalBytes;
  }
}
