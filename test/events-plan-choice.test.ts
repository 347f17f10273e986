import { describe, expect, it } from 'vitest';
import { linkedStreams } from '../src/methods/events-get';
import type { StreamCounts } from '../src/storage/stream-counts';
import type { StreamTree } from '../src/storage/stream-tree';

/** The bench's shape: 200 streams, 8 roots of 25 streams; ~100,000 events spread over the 160 leaves. */
const tree = { size: 200 } as StreamTree;
const root = Array.from({ length: 25 }, (_, i) => `r0-${i}`);
const leaf = ['r0-c0-g0'];
const counts = (byStream: Record<string, number>, total: number): StreamCounts => ({ byStream: new Map(Object.entries(byStream)), total, at: 0 });
const measured = counts({ ...Object.fromEntries(root.map((id) => [id, 500])), 'r0-c0-g0': 600 }, 110_000);
const compiled = (any: string[]) => [{ any, all: [], not: [] }];

describe('events.get plan choice from measured selectivity (decision 023)', () => {
  it('walks the time index for a root holding 1/8 of the events, even though it is 1/8 of the tree', () => {
    expect(linkedStreams(compiled(root), tree, measured, 5)).toBeUndefined();
    expect(linkedStreams(compiled(root), tree, measured, 20)).toBeUndefined();
  });

  it('starts from the links for a leaf holding a small share of the events', () => {
    expect(linkedStreams(compiled(leaf), tree, counts({ 'r0-c0-g0': 60 }, 110_000), 20)).toEqual(leaf);
  });

  it('starts from the links when every matching event is wanted, however many', () => {
    expect(linkedStreams(compiled(root), tree, measured, Infinity)).toEqual(root);
  });

  it('starts from the links for streams without events', () => {
    expect(linkedStreams(compiled(['x']), tree, measured, 20)).toEqual(['x']);
  });

  it('without counts yet, falls back to the share of the tree (1/8)', () => {
    expect(linkedStreams(compiled(root), tree, undefined, 5)).toEqual(root);
    expect(linkedStreams(compiled([...root, 'x']), tree, undefined, 5)).toBeUndefined();
  });
});
