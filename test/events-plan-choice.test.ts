import { describe, expect, it } from 'vitest';
import { linkedStreams, startIndex } from '../src/methods/events-get';
import { compiledVisibility } from '../src/auth/event-visibility';
import { Permissions } from '../src/core/permissions';
import { StreamTree } from '../src/storage/stream-tree';
import type { StreamCounts } from '../src/storage/stream-counts';

/** The bench's shape: 200 streams, 8 roots of 25 streams; ~100,000 events spread over the 160 leaves. */
const tree = { size: 200 } as StreamTree;
const root = Array.from({ length: 25 }, (_, i) => `r0-${i}`);
const leaf = ['r0-c0-g0'];
const counts = (byStream: Record<string, number>, total: number): StreamCounts =>
  ({ byStream: new Map(Object.entries(byStream)), total, byType: new Map(), events: total, modifiedAtRank: [], at: 0 });
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

/** 20,000 events: 5 common types and a rare one (0.5 %), all modified in the last hour (just imported). */
const measuredTypes: StreamCounts = {
  byStream: new Map(), total: 22_000, at: 0, events: 20_000,
  byType: new Map([['mass/kg', 7000], ['note/txt', 5000], ['activity/plain', 4000], ['count/steps', 2400], ['mood/rating', 1500], ['temperature/c', 100]]),
  modifiedAtRank: [1_000_000, 999_000, 998_000],
};
const types = (...exact: string[]) => ({ exact, classes: [] });

describe('events.get start index from measured counts (decision 029)', () => {
  it('reads one exact type through events_type, measured or not, unless the links were chosen', () => {
    expect(startIndex({ types: types('temperature/c') }, measuredTypes, 20)).toBe('type');
    expect(startIndex({ types: types('mass/kg') }, undefined, 20)).toBe('type');
    expect(startIndex({ types: types('temperature/c'), linkedTo: ['leaf'] }, measuredTypes, 20)).toBeUndefined();
  });

  it('merges several rare types by a sort, and walks the time index for common ones or classes', () => {
    expect(startIndex({ types: types('temperature/c', 'unknown/x') }, measuredTypes, 20)).toBe('type');
    expect(startIndex({ types: types('mass/kg', 'note/txt') }, measuredTypes, 20)).toBeUndefined();
    expect(startIndex({ types: types('temperature/c', 'unknown/x') }, undefined, 20)).toBeUndefined();
    expect(startIndex({ types: { exact: ['temperature/c'], classes: ['mass'] } }, measuredTypes, 20)).toBeUndefined();
  });

  it('walks the time index for a modifiedSince that thousands of recent changes match, else reads events_modified', () => {
    expect(startIndex({ modifiedSince: 990_000 }, measuredTypes, 20)).toBeUndefined();
    expect(startIndex({ modifiedSince: 999_500 }, measuredTypes, 20)).toBe('modified');
    expect(startIndex({ modifiedSince: 1_000_000 }, measuredTypes, 20)).toBe('modified');
    expect(startIndex({ modifiedSince: 990_000 }, measuredTypes, Infinity)).toBe('modified');
    expect(startIndex({ modifiedSince: 990_000 }, undefined, 20)).toBe('modified');
  });
});

describe('visibility planned once per access permissions and tree version (decision 029)', () => {
  const rows = (ids: string[]) => ids.map((id) => ({ id, name: id, parentId: id.includes('-') ? id.split('-')[0] : null, trashed: false })) as unknown as ConstructorParameters<typeof StreamTree>[1];
  const tree1 = new StreamTree(1, rows(['a', 'a-1', 'b', 'b-1']));
  const access = (permissions: unknown[]) => ({ userId: 'u', id: 'acc', permissions: JSON.stringify(permissions) });
  const perms = (list: unknown[]) => new Permissions('shared', list as ConstructorParameters<typeof Permissions>[1]);

  it('needs no visibility clause for whole readable streams, keeps it for hidden or narrowed ones', () => {
    const plain = [{ streamId: 'a', level: 'read' }];
    expect(compiledVisibility(access(plain), perms(plain), tree1)).toMatchObject({ streamsOnly: true, plan: { hidden: [], grants: [{ s: ['a', 'a-1'] }] } });
    const narrowed = [{ streamId: 'a', level: 'read', tags: ['x'] }];
    expect(compiledVisibility(access(narrowed), perms(narrowed), tree1)?.streamsOnly).toBe(false);
    const hiding = [{ streamId: '*', level: 'read' }, { streamId: 'b-1', level: 'none' }];
    expect(compiledVisibility(access(hiding), perms(hiding), tree1)).toMatchObject({ streamsOnly: false, plan: { hidden: ['b-1'] } });
    expect(compiledVisibility(access(plain), new Permissions('personal', []), tree1)).toBeNull();
  });

  it('reuses the plan while permissions and tree are unchanged, and plans again when either moves', () => {
    const plain = [{ streamId: 'a', level: 'read' }];
    const first = compiledVisibility(access(plain), perms(plain), tree1);
    expect(compiledVisibility(access(plain), perms(plain), tree1)).toBe(first);
    const tree2 = new StreamTree(2, rows(['a', 'a-1', 'a-2', 'b']));
    expect(compiledVisibility(access(plain), perms(plain), tree2)?.plan.grants[0].s).toEqual(['a', 'a-1', 'a-2']);
    const wider = [{ streamId: 'a', level: 'read' }, { streamId: 'b', level: 'read' }];
    expect(compiledVisibility(access(wider), perms(wider), tree1)?.plan.grants[0].s).toEqual(['a', 'a-1', 'b', 'b-1']);
  });
});
