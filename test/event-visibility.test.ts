import { describe, expect, it } from 'vitest';
import { admits, canCreateIn, isVisible, overlaps, spanEnd, visibilityPlan, writableThrough } from '../src/auth/event-visibility';
import { Permissions, type Permission } from '../src/core/permissions';

// Tree: a > (c, d), b.
const parents: Record<string, string | null> = { a: null, c: 'a', d: 'a', b: null };
const parentOf = (id: string) => parents[id];
const perms = (list: Permission[]) => new Permissions('shared', list);
const ev = (streamIds: string[], extra: Partial<{ time: number; duration: number | null; tags: string[] }> = {}) => ({
  streamIds, time: 100, tags: [] as string[], ...extra,
});
const NOW = 1000;

describe('event visibility rules (pure)', () => {
  it('computes span ends and overlaps, running events extending to now', () => {
    expect(spanEnd(ev(['a']), NOW)).toBe(100);
    expect(spanEnd(ev(['a'], { duration: 5 }), NOW)).toBe(105);
    expect(spanEnd(ev(['a'], { duration: null }), NOW)).toBe(1000);
    expect(overlaps(ev(['a'], { duration: 5 }), 105, 200, NOW)).toBe(true);
    expect(overlaps(ev(['a'], { duration: 5 }), 106, 200, NOW)).toBe(false);
    expect(overlaps(ev(['a']), undefined, 99, NOW)).toBe(false);
  });

  it('admits by tags and time frame together', () => {
    const p = { streamId: 'a', level: 'read' as const, tags: ['x'], fromTime: 50, toTime: 150 };
    expect(admits(p, ev(['a'], { tags: ['x'] }), NOW)).toBe(true);
    expect(admits(p, ev(['a'], { tags: ['y'] }), NOW)).toBe(false);
    expect(admits(p, ev(['a'], { tags: ['x'], time: 151 }), NOW)).toBe(false);
    expect(admits(null, ev(['a']), NOW)).toBe(false);
  });

  it('hides events with a none or create-only stream and needs a readable admitting stream', () => {
    const p = perms([{ streamId: 'a', level: 'read' }, { streamId: 'c', level: 'none' }, { streamId: 'b', level: 'create-only' }]);
    expect(isVisible(p, parentOf, ev(['d']), NOW)).toBe(true);
    expect(isVisible(p, parentOf, ev(['c', 'a']), NOW)).toBe(false);
    expect(isVisible(p, parentOf, ev(['a', 'b']), NOW)).toBe(false);
    expect(isVisible(perms([{ streamId: 'b', level: 'read' }]), parentOf, ev(['a']), NOW)).toBe(false);
    expect(isVisible(new Permissions('personal', []), parentOf, ev(['zz']), NOW)).toBe(true);
  });

  it('write rules: create needs every stream, update one writable admitting stream', () => {
    const p = perms([{ streamId: 'a', level: 'contribute', tags: ['x'] }, { streamId: 'b', level: 'read' }]);
    expect(canCreateIn(p, parentOf, ev(['c'], { tags: ['x'] }), NOW)).toBe(true);
    expect(canCreateIn(p, parentOf, ev(['c']), NOW)).toBe(false);
    expect(canCreateIn(p, parentOf, ev(['c', 'b'], { tags: ['x'] }), NOW)).toBe(false);
    expect(writableThrough(p, parentOf, ev(['c', 'b'], { tags: ['x'] }), NOW)).toBe(true);
    expect(writableThrough(p, parentOf, ev(['b'], { tags: ['x'] }), NOW)).toBe(false);
  });

  it('plans visibility as hidden streams plus grants grouped by governing entry', () => {
    const p = perms([
      { streamId: 'a', level: 'read' }, { streamId: 'c', level: 'create-only' }, { streamId: 'b', level: 'manage', tags: ['t'], fromTime: 1 },
    ]);
    expect(visibilityPlan(p, Object.keys(parents), parentOf)).toEqual({
      hidden: ['c'], grants: [{ s: ['a', 'd'] }, { s: ['b'], t: ['t'], f: 1 }],
    });
    expect(visibilityPlan(new Permissions('personal', []), ['a'], parentOf)).toBeNull();
  });
});
