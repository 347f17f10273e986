import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedCache, JSON_HEAP_FACTOR, jsonHeapBytes } from '../src/lib/bounded-cache';

/** A cache whose entry size is the string's length, so the byte bound is easy to reason about. */
const cache = (maxEntries: number, maxBytes: number, maxEntryBytes?: number) =>
  new BoundedCache<string, string>({ maxEntries, maxBytes, maxEntryBytes, sizeOf: (v) => v.length });

const keys = (c: BoundedCache<string, string>, candidates: string[]) => candidates.filter((k) => c.get(k) !== undefined);

describe('BoundedCache (per-isolate LRU bounded by entries and bytes)', () => {
  it('keeps at most maxEntries, evicting the least recently stored first', () => {
    const c = cache(3, 1_000);
    for (const k of ['a', 'b', 'c', 'd']) c.set(k, 'x');
    expect(c.size).toBe(3);
    expect(keys(c, ['a', 'b', 'c', 'd'])).toEqual(['b', 'c', 'd']);
  });

  it('counts a read as a use: the entry just read survives the next eviction', () => {
    const c = cache(3, 1_000);
    for (const k of ['a', 'b', 'c']) c.set(k, 'x');
    expect(c.get('a')).toBe('x');
    c.set('d', 'x');
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe('x');
  });

  it('keeps at most maxBytes, evicting old entries until the new one fits', () => {
    const c = cache(100, 10);
    c.set('a', '1234');
    c.set('b', '1234');
    c.set('c', '12345'); // 13 bytes with a and b: a must go
    expect(c.bytes).toBe(9);
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBe('1234');
    expect(c.get('c')).toBe('12345');
  });

  it('refuses an entry larger than maxEntryBytes and drops the older value under its key', () => {
    const c = cache(100, 100, 8);
    c.set('a', 'small');
    c.set('keep', 'other');
    expect(c.set('a', '123456789')).toBe(false);
    expect(c.get('a')).toBeUndefined();
    expect(c.get('keep')).toBe('other');
    expect(c.bytes).toBe(5);
  });

  it('counts a replaced entry once, at its new size', () => {
    const c = cache(10, 100);
    c.set('a', '12345');
    c.set('a', '12');
    expect(c.size).toBe(1);
    expect(c.bytes).toBe(2);
  });

  it('releases the bytes of deleted and cleared entries', () => {
    const c = cache(10, 100);
    c.set('a', '123');
    c.set('b', '45');
    expect(c.delete('a')).toBe(true);
    expect(c.delete('a')).toBe(false);
    expect(c.bytes).toBe(2);
    c.clear();
    expect(c.size).toBe(0);
    expect(c.bytes).toBe(0);
  });

  it('estimates heap bytes as JSON_HEAP_FACTOR per character of JSON', () => {
    expect(jsonHeapBytes({ a: 'xy' })).toBe(JSON_HEAP_FACTOR * '{"a":"xy"}'.length);
    expect(jsonHeapBytes(undefined)).toBe(0);
  });

  it('matches a model LRU and never exceeds either bound, whatever the operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 9 }), size: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 9 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 30 }), fc.array(op, { maxLength: 60 }), (maxEntries, maxBytes, ops) => {
        const c = cache(maxEntries, maxBytes);
        // The model: [key, size] pairs, least recently used first.
        let model: [string, number][] = [];
        for (const o of ops) {
          const key = `k${o.key}`;
          const at = model.findIndex(([k]) => k === key);
          if (o.kind === 'get') {
            expect(c.get(key) !== undefined).toBe(at >= 0);
            if (at >= 0) model = [...model.filter(([k]) => k !== key), model[at]];
          } else if (o.kind === 'delete') {
            expect(c.delete(key)).toBe(at >= 0);
            model = model.filter(([k]) => k !== key);
          } else {
            model = model.filter(([k]) => k !== key);
            const stored = c.set(key, 'x'.repeat(o.size));
            expect(stored).toBe(o.size <= maxBytes);
            if (stored) {
              while (model.length > 0 && (model.length >= maxEntries || model.reduce((s, [, n]) => s + n, 0) + o.size > maxBytes)) model.shift();
              model.push([key, o.size]);
            }
          }
          expect(c.size).toBeLessThanOrEqual(maxEntries);
          expect(c.bytes).toBeLessThanOrEqual(maxBytes);
          expect(c.size).toBe(model.length);
          expect(c.bytes).toBe(model.reduce((s, [, n]) => s + n, 0));
        }
        const kept = new Set(model.map(([k]) => k));
        for (let i = 0; i <= 9; i++) expect(c.get(`k${i}`) !== undefined).toBe(kept.has(`k${i}`));
      }),
    );
  });
});
