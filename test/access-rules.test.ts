import { describe, expect, it } from 'vitest';
import { assertMayDelete, assertMayUpdate, entryCovers, expiryViolation, levelCovers, mayList, narrowingCovers, permissionsCovered } from '../src/auth/access-rules';
import { Permissions, type Level, type Permission } from '../src/core/permissions';

const LEVELS: Level[] = ['none', 'read', 'create-only', 'contribute', 'manage'];
// Tree: a → a1 → a11; b.
const parents: Record<string, string | null> = { a: null, a1: 'a', a11: 'a1', b: null };
const parentOf = (id: string) => parents[id];
const ids = Object.keys(parents);
const shared = (list: Permission[]) => new Permissions('shared', list);
const covered = (parent: Permission[], child: Permission[]) => permissionsCovered(shared(parent), shared(child), ids, parentOf);

describe('subset rule: levels (§7.7 table)', () => {
  it('grants exactly the table: manage any; contribute up to contribute; read none/read; create-only and none only none', () => {
    const allowed: Record<Level, Level[]> = {
      manage: LEVELS,
      contribute: ['none', 'read', 'create-only', 'contribute'],
      read: ['none', 'read'],
      'create-only': ['none'],
      none: ['none'],
    };
    for (const p of LEVELS) for (const c of LEVELS) expect(levelCovers(p, c), `${p} → ${c}`).toBe(allowed[p].includes(c));
    expect(levelCovers(null, 'read')).toBe(false);
    expect(levelCovers(null, 'none')).toBe(true);
  });
});

describe('subset rule: narrowing', () => {
  const base = { streamId: 'a', level: 'read' as const };
  it('a child must carry a subset of the parent tags, a later-or-equal fromTime, an earlier-or-equal toTime', () => {
    const parent = { ...base, tags: ['x', 'y'], fromTime: 10, toTime: 20 };
    expect(narrowingCovers(parent, { ...base, tags: ['x'], fromTime: 10, toTime: 20 })).toBe(true);
    expect(narrowingCovers(parent, { ...base, tags: ['x', 'z'], fromTime: 10, toTime: 20 })).toBe(false);
    expect(narrowingCovers(parent, { ...base, fromTime: 10, toTime: 20 })).toBe(false);
    expect(narrowingCovers(parent, { ...base, tags: ['x'], fromTime: 9, toTime: 20 })).toBe(false);
    expect(narrowingCovers(parent, { ...base, tags: ['x'], toTime: 20 })).toBe(false);
    expect(narrowingCovers(parent, { ...base, tags: ['x'], fromTime: 10, toTime: 21 })).toBe(false);
    expect(narrowingCovers(parent, { ...base, tags: ['x'], fromTime: 10 })).toBe(false);
  });
  it('a child may add narrowing where the parent has none', () => {
    expect(narrowingCovers(base, { ...base, tags: ['t'], fromTime: 1 })).toBe(true);
  });
  it('a none entry is covered by anything, even no permission', () => {
    expect(entryCovers(null, { streamId: 'a', level: 'none' })).toBe(true);
    expect(entryCovers(null, null)).toBe(true);
  });
});

describe('subset rule over the tree (§7.7 "for every existing stream and *")', () => {
  it('a child grant deeper in the parent\'s subtree is covered; outside it is not', () => {
    expect(covered([{ streamId: 'a', level: 'read' }], [{ streamId: 'a11', level: 'read' }])).toBe(true);
    expect(covered([{ streamId: 'a1', level: 'read' }], [{ streamId: 'a', level: 'read' }])).toBe(false);
    expect(covered([{ streamId: 'a', level: 'read' }], [{ streamId: 'b', level: 'read' }])).toBe(false);
  });
  it('the deepest entry of the parent wins: a none cut-out cannot be re-granted', () => {
    const parent: Permission[] = [{ streamId: '*', level: 'manage' }, { streamId: 'a1', level: 'none' }];
    expect(covered(parent, [{ streamId: '*', level: 'read' }])).toBe(false);
    expect(covered(parent, [{ streamId: '*', level: 'read' }, { streamId: 'a1', level: 'none' }])).toBe(true);
    expect(covered(parent, [{ streamId: 'a', level: 'manage' }, { streamId: 'a1', level: 'none' }])).toBe(true);
  });
  it('a child lower deeper than its own wider grant is still checked at every stream', () => {
    const parent: Permission[] = [{ streamId: 'a', level: 'contribute' }, { streamId: 'a1', level: 'read' }];
    expect(covered(parent, [{ streamId: 'a', level: 'contribute' }])).toBe(false); // a1 would get contribute
    expect(covered(parent, [{ streamId: 'a', level: 'contribute' }, { streamId: 'a1', level: 'read' }])).toBe(true);
  });
  it('narrowing is compared stream by stream too', () => {
    const parent: Permission[] = [{ streamId: 'a', level: 'read', tags: ['w'] }];
    expect(covered(parent, [{ streamId: 'a1', level: 'read', tags: ['w'] }])).toBe(true);
    expect(covered(parent, [{ streamId: 'a1', level: 'read' }])).toBe(false);
  });
  it('feature permissions do not count; a personal parent covers everything', () => {
    expect(covered([{ streamId: 'a', level: 'read' }], [{ streamId: 'a', level: 'read' }, { feature: 'selfRevoke', setting: 'forbidden' }])).toBe(true);
    expect(permissionsCovered(new Permissions('personal', []), shared([{ streamId: '*', level: 'manage' }]), ids, parentOf)).toBe(true);
  });
});

describe('expiry chain', () => {
  it('holds when the parent never expires or the child expires no later', () => {
    expect(expiryViolation(null, null)).toBeNull();
    expect(expiryViolation(100, 100)).toBeNull();
    expect(expiryViolation(100, 50)).toBeNull();
  });
  it('reports parentExpires and requestedExpires otherwise', () => {
    expect(expiryViolation(100, null)).toEqual({ parentExpires: 100, requestedExpires: null });
    expect(expiryViolation(100, 101)).toEqual({ parentExpires: 100, requestedExpires: 101 });
  });
});

describe('who may list, update, delete (§7.8)', () => {
  const app = { id: 'app', type: 'app' as const, permissions: shared([]) };
  const personal = { id: 'me', type: 'personal' as const, permissions: new Permissions('personal', []) };
  const child = { id: 'c', type: 'shared' as const, parentId: 'app' };
  const stranger = { id: 's', type: 'shared' as const, parentId: 'other' };
  it('lists: personal all, app its children only', () => {
    expect(mayList(personal, stranger)).toBe(true);
    expect(mayList(app, child)).toBe(true);
    expect(mayList(app, stranger)).toBe(false);
    expect(mayList(app, { parentId: null })).toBe(false);
  });
  it('updates: never itself or a personal access; an app only its shared children', () => {
    expect(() => assertMayUpdate(personal, child)).not.toThrow();
    expect(() => assertMayUpdate(personal, { id: 'me', type: 'personal', parentId: null })).toThrow();
    expect(() => assertMayUpdate(personal, { id: 'p2', type: 'personal', parentId: null })).toThrow();
    expect(() => assertMayUpdate(app, child)).not.toThrow();
    expect(() => assertMayUpdate(app, stranger)).toThrow();
    expect(() => assertMayUpdate(app, { id: 'app', type: 'app', parentId: 'me' })).toThrow();
  });
  it('deletes: itself unless selfRevoke is forbidden; personal anything; app its children', () => {
    const locked = { id: 'x', type: 'shared' as const, permissions: shared([{ feature: 'selfRevoke', setting: 'forbidden' }]) };
    expect(() => assertMayDelete(locked, { id: 'x', type: 'shared', parentId: null })).toThrow();
    expect(() => assertMayDelete({ ...locked, permissions: shared([]) }, { id: 'x', type: 'shared', parentId: null })).not.toThrow();
    expect(() => assertMayDelete({ ...locked, permissions: shared([]) }, child)).toThrow();
    expect(() => assertMayDelete(personal, stranger)).not.toThrow();
    expect(() => assertMayDelete(app, child)).not.toThrow();
    expect(() => assertMayDelete(app, stranger)).toThrow();
  });
});
