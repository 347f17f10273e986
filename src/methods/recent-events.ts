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

const recent = new BoundedCache<string, StoredEvent>({
  maxEntries: RECENT_EVENTS_MAX_ENTRIES,
  maxBytes: RECENT_EVENTS_MAX_BYTES,
  maxEntryBytes: RECENT_EVENT_MAX_BYTES,
  sizeOf: (event, key) => jsonHeapBytes(event) + 2 * key.length,
});

const keyOf = (userId: string, eventId: string) => `${userId}\0${eventId}`;

/** A copy of the event as this isolate last wrote it (with its revision), or undefined. Callers may change it. */
export function recentEvent(userId: string, eventId: string): StoredEvent | undefined {
  const hit = recent.get(keyOf(userId, eventId));
  return hit === undefined ? undefined : structuredClone(hit);
}

/** Keeps the event as a committed write left it: `rev` must be the row's revision after that write. */
export function rememberEvent(userId: string, event: StoredEvent & { rev: number }): void {
  recent.set(keyOf(userId, event.id), structuredClone(event));
}

export function forgetEvent(userId: string, eventId: string): void {
  recent.delete(keyOf(userId, eventId));
}
