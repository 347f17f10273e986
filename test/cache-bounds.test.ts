import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  MEMORY_MAX_BYTES,
  MEMORY_MAX_ENTRIES,
  MEMORY_MAX_ENTRY_BYTES,
  readCacheEntry,
  writeCacheEntry,
} from '../src/auth/access-cache';
import { flatDirectory, VALIDATOR_CACHE_MAX_BYTES, VALIDATOR_CACHE_MAX_ENTRIES } from '../src/event-types';
import { jsonHeapBytes } from '../src/lib/bounded-cache';
import {
  RECENT_EVENT_MAX_BYTES, RECENT_EVENTS_MAX_BYTES, RECENT_EVENTS_MAX_ENTRIES, recentEvent, rememberEvent,
} from '../src/methods/recent-events';
import type { StoredEvent } from '../src/storage/events';
import type { AccessRow, StreamRow, UserRow } from '../src/storage/schema';
import {
  rememberTree,
  StreamTree,
  TREE_CACHE_MAX_BYTES,
  TREE_CACHE_MAX_ENTRIES,
  TREE_MAX_BYTES,
  cachedTree,
} from '../src/storage/stream-tree';

/**
 * The per-isolate caches keyed by token or user stop at their bounds (docs/decisions/011-bounded-caches.md):
 * the least recently used entries leave first, and an entry too large for its cache is not kept at all.
 */
const now = () => Date.now() / 1000;
let run = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(run++).toString(36)}`;

const userRow = (id: string): UserRow => ({
  id, username: id, email: `${id}@example.test`, passwordHash: 'x', language: 'en', referer: null, created: 1, streamsVersion: 0, moving: null,
  storageDbBytes: 0, storageFilesBytes: 0, realtimeSockets: 0,
});
const accessRow = (id: string, userId: string, clientDataChars: number): AccessRow => ({
  id, userId, tokenHash: 'h', tokenSealed: null, type: 'app', name: id, deviceName: null, permissions: '[]', expires: null,
  sessionExpires: null, lastUsed: null, clientData: clientDataChars ? JSON.stringify({ pad: 'x'.repeat(clientDataChars) }) : null,
  parentId: null, created: 1, createdBy: 'x', modified: 1, modifiedBy: 'x', deleted: null, rev: 0, serial: 0,
});

/** Caches an access under `key` in both layers (clientData padded to `chars`), as a token resolution does. */
async function cacheAccess(key: string, chars = 0): Promise<void> {
  const id = key.slice(4);
  await writeCacheEntry(env, key, userRow(`u-${id}`), accessRow(`a-${id}`, `u-${id}`, chars));
}

/**
 * Caches many accesses, in order: `writeCacheEntry` fills isolate memory before its first await, so concurrent
 * calls keep their call order there while their KV writes overlap.
 */
async function cacheAccesses(keys: string[], chars = 0): Promise<void> {
  await Promise.all(keys.map((key) => cacheAccess(key, chars)));
}

/** Whether the isolate's memory still holds `key`: its KV copy is removed first, so only memory can answer. */
async function inIsolateMemory(key: string): Promise<boolean> {
  await env.ACCESSES.delete(key);
  return (await readCacheEntry(env, key, now())) !== null;
}

describe('isolate token cache bounds', () => {
  it(`keeps at most MEMORY_MAX_ENTRIES (${MEMORY_MAX_ENTRIES}) tokens: the least recently used one falls back to KV`, async () => {
    const keys = Array.from({ length: MEMORY_MAX_ENTRIES + 1 }, () => `tok:${unique('n')}`);
    await cacheAccesses(keys);
    expect(await inIsolateMemory(keys[0])).toBe(false);
    expect(await inIsolateMemory(keys[1])).toBe(true);
    expect(await inIsolateMemory(keys[keys.length - 1])).toBe(true);
  });

  it('keeps at most MEMORY_MAX_BYTES: large accesses evict older ones long before the entry count is reached', async () => {
    // About 200 KB estimated each (2 bytes per JSON character), under the single-entry bound.
    const chars = 100_000;
    const fit = Math.floor(MEMORY_MAX_BYTES / (2 * chars));
    expect(2 * chars).toBeLessThan(MEMORY_MAX_ENTRY_BYTES);
    const keys = Array.from({ length: fit + 2 }, () => `tok:${unique('b')}`);
    await cacheAccesses(keys, chars);
    expect(await inIsolateMemory(keys[0])).toBe(false);
    expect(await inIsolateMemory(keys[keys.length - 1])).toBe(true);
  });

  it('never keeps an access larger than MEMORY_MAX_ENTRY_BYTES in memory: it is served from KV', async () => {
    const key = `tok:${unique('huge')}`;
    await cacheAccess(key, MEMORY_MAX_ENTRY_BYTES / 2 + 1);
    expect(await readCacheEntry(env, key, now())).not.toBeNull(); // KV has it
    expect(await inIsolateMemory(key)).toBe(false);
  });
});

/** A tree of `count` streams whose clientData is padded to `chars`. */
function tree(count: number, chars = 0): StreamTree {
  const rows: StreamRow[] = Array.from({ length: count }, (_, i) => ({
    userId: 'u', id: `s${i}`, name: `s${i}`, parentId: null, clientData: chars ? 'x'.repeat(chars) : null, trashed: false,
    created: 1, createdBy: 'x', modified: 1, modifiedBy: 'x',
  }));
  return new StreamTree(1, rows);
}

/** How many tree loads (D1 round trips) a call on `userId` would need: 0 when its tree is cached. */
async function loadsFor(userId: string): Promise<number> {
  return cachedTree(userId) === undefined ? 1 : 0;
}

describe('stream-tree cache bounds', () => {
  it(`keeps at most TREE_CACHE_MAX_ENTRIES (${TREE_CACHE_MAX_ENTRIES}) trees: the least recently used one is reloaded`, async () => {
    const users = Array.from({ length: TREE_CACHE_MAX_ENTRIES + 1 }, () => unique('tu'));
    for (const u of users) rememberTree(u, tree(1));
    expect(await loadsFor(users[0])).toBe(1);
    expect(await loadsFor(users[users.length - 1])).toBe(0);
  });

  it('keeps at most TREE_CACHE_MAX_BYTES: big trees evict older ones long before the entry count is reached', async () => {
    // One row of 100,000 characters of clientData: about 200 KB estimated.
    const big = () => tree(1, 100_000);
    const fit = Math.floor(TREE_CACHE_MAX_BYTES / 200_000);
    const users = Array.from({ length: fit + 2 }, () => unique('tb'));
    for (const u of users) rememberTree(u, big());
    expect(await loadsFor(users[0])).toBe(1);
    expect(await loadsFor(users[users.length - 1])).toBe(0);
  });

  it('never caches a tree larger than TREE_MAX_BYTES: that user loads it on every call', async () => {
    const u = unique('th');
    rememberTree(u, tree(1, TREE_MAX_BYTES / 2 + 1));
    expect(await loadsFor(u)).toBe(1);
  });
});

describe('event-type validator cache bounds', () => {
  it('hold every type of the directory, so no validator is ever compiled twice', () => {
    const types = (JSON.parse(flatDirectory()) as { types: Record<string, unknown> }).types;
    const bytes = Object.values(types).reduce<number>((sum, definition) => sum + jsonHeapBytes(definition), 0);
    expect(Object.keys(types).length).toBeLessThanOrEqual(VALIDATOR_CACHE_MAX_ENTRIES);
    expect(bytes).toBeLessThanOrEqual(VALIDATOR_CACHE_MAX_BYTES);
  });
});

/** An event as `events.update` keeps it, its description padded to `chars`. */
const copyOf = (id: string, chars = 0): StoredEvent & { rev: number } => ({
  id, streamIds: ['s'], time: 1, type: 'note/txt', content: 'x', tags: [], trashed: false, created: 1, createdBy: 'x', modified: 1, modifiedBy: 'x', rev: 2,
  ...(chars ? { description: 'x'.repeat(chars) } : {}),
});

describe('recent event copies bounds (decision 034)', () => {
  it(`keeps at most RECENT_EVENTS_MAX_ENTRIES (${RECENT_EVENTS_MAX_ENTRIES}) copies: the least recently written one is read again`, () => {
    const user = unique('ru');
    const ids = Array.from({ length: RECENT_EVENTS_MAX_ENTRIES + 1 }, (_, i) => `e${i}`);
    for (const id of ids) rememberEvent(user, copyOf(id));
    expect(recentEvent(user, ids[0])).toBeUndefined();
    expect(recentEvent(user, ids[ids.length - 1])).toMatchObject({ id: ids[ids.length - 1], rev: 2 });
  });

  it('keeps at most RECENT_EVENTS_MAX_BYTES, and never an event above RECENT_EVENT_MAX_BYTES', () => {
    const user = unique('rb');
    // About 60 KB estimated each (2 bytes per JSON character), under the single-entry bound.
    const chars = 30_000;
    const fit = Math.floor(RECENT_EVENTS_MAX_BYTES / (2 * chars));
    const ids = Array.from({ length: fit + 2 }, (_, i) => `b${i}`);
    for (const id of ids) rememberEvent(user, copyOf(id, chars));
    expect(recentEvent(user, ids[0])).toBeUndefined();
    expect(recentEvent(user, ids[ids.length - 1])).toBeDefined();
    rememberEvent(user, copyOf('huge', RECENT_EVENT_MAX_BYTES / 2 + 1));
    expect(recentEvent(user, 'huge')).toBeUndefined();
  });

  it('hands out copies: changing what it returned leaves the kept event as written', () => {
    const user = unique('rc');
    rememberEvent(user, copyOf('e'));
    const first = recentEvent(user, 'e')!;
    first.tags.push('changed');
    first.streamIds = ['other'];
    expect(recentEvent(user, 'e')).toMatchObject({ tags: [], streamIds: ['s'] });
  });
});
