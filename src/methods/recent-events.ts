/**
 * The events this isolate wrote last, at the revision its own write gave them (decision 034). `events.update`
 * starts from such a copy instead of reading the event again, so updating an event this isolate just updated
 * costs one D1 round trip instead of two. A copy is only a guess: the write's revision guard (`rev` unchanged,
 * event not deleted) decides in the same atomic batch, and any failure of an attempt that started from a copy
 * re-runs it from D1 (`events.update` in src/methods/events.ts).
 */
import { BoundedCache, jsonHeapBytes } from '../lib/bounded-cache';
import type { StoredEvent } from '../storage/events';

/** Bounds (decision 011): a few thousand small events; an event above 64 KiB estimated is not kept. */
export const RECENT_EVENTS_MAX_ENTRIES = 2_000;
export const RECENT_EVENTS_MAX_BYTES = 4 * 1024 * 1024;
export const RECENT_EVENT_MAX_BYTES = 64 * 1024;

/**
 * A copy older than this is not used. Series of updates of one event come within minutes; a bound on a copy's
 * age also bounds how long it can outlive what no revision tells apart (an account restored from an export,
 * say, then written again up to the same revisions).
 */
export const RECENT_EVENT_TTL_MS = 10 * 60_000;

const recent = new BoundedCache<string, { event: StoredEvent; until: number }>({
  maxEntries: RECENT_EVENTS_MAX_ENTRIES,
  maxBytes: RECENT_EVENTS_MAX_BYTES,
  maxEntryBytes: RECENT_EVENT_MAX_BYTES,
  sizeOf: (entry, key) => jsonHeapBytes(entry.event) + 2 * key.length,
});

const keyOf = (userId: string, eventId: string) => `${userId}\0${eventId}`;

/** A copy of the event as this isolate last wrote it (with its revision), or undefined. Callers may change it. */
export function recentEvent(userId: string, eventId: string): StoredEvent | undefined {
  const key = keyOf(userId, eventId);
  const hit = recent.get(key);
  if (hit === undefined) return undefined;
  if (hit.until < Date.now()) {
    recent.delete(key);
    return undefined;
  }
  return structuredClone(hit.event);
}

/** Keeps the event as a committed write left it: `rev` must be the row's revision after that write. */
export function rememberEvent(userId: string, event: StoredEvent & { rev: number }): void {
  recent.set(keyOf(userId, event.id), { event: structuredClone(event), until: Date.now() + RECENT_EVENT_TTL_MS });
}

export function forgetEvent(userId: string, eventId: string): void {
  recent.delete(keyOf(userId, eventId));
}
