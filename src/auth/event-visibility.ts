/**
 * The read and write rules of §7.2–§7.6 on events, as pure functions of an access's `Permissions`, the stream
 * tree (through `parentOf`) and the event. `visibilityPlan` turns the same rules into sets the events.get SQL
 * applies before paging (a page never has holes).
 */
import type { Level, ParentOf, Permissions, StreamPermission } from '../core/permissions';
import { BoundedCache, jsonHeapBytes } from '../lib/bounded-cache';
import type { GrantSet, VisibilityPlan } from '../storage/events-query';
import type { StreamTree } from '../storage/stream-tree';

export const isListable = (level: Level | undefined): boolean => level !== undefined && level !== 'none';
export const canRead = (level: Level | undefined): boolean => level === 'read' || level === 'contribute' || level === 'manage';
export const hidesEvents = (level: Level | undefined): boolean => level === 'none' || level === 'create-only';
export const canCreateEvents = (level: Level | undefined): boolean =>
  level === 'create-only' || level === 'contribute' || level === 'manage';
export const canWriteEvents = (level: Level | undefined): boolean => level === 'contribute' || level === 'manage';

/** What the rules need to know about an event. `duration: null` is a running event. */
export interface EventFacts {
  streamIds: readonly string[];
  time: number;
  duration?: number | null;
  tags: readonly string[];
}

/** End of the event's span (§6.1): a running event extends to now. */
export function spanEnd(e: EventFacts, now: number): number {
  if (e.duration === null) return Math.max(e.time, now);
  return e.time + (e.duration ?? 0);
}

/** Whether the span [time, end] overlaps [from, to] (bounds included, a missing bound is unbounded). */
export function overlaps(e: EventFacts, from: number | undefined, to: number | undefined, now: number): boolean {
  return (to === undefined || e.time <= to) && (from === undefined || spanEnd(e, now) >= from);
}

export const isNarrowed = (p: StreamPermission): boolean =>
  p.tags !== undefined || p.fromTime !== undefined || p.toTime !== undefined;

/** admits(P, e) of §7.4 / §7.6. */
export function admits(p: StreamPermission | null, e: EventFacts, now: number): boolean {
  if (!p) return false;
  if (p.tags !== undefined && !p.tags.some((t) => e.tags.includes(t))) return false;
  return overlaps(e, p.fromTime, p.toTime, now);
}

/** §7.4: (a) no stream hides it, (b) some readable stream admits it. Personal accesses see everything. */
export function isVisible(perms: Permissions, parentOf: ParentOf, e: EventFacts, now: number): boolean {
  if (perms.isPersonal) return true;
  let readable = false;
  for (const s of e.streamIds) {
    const p = perms.effective(s, parentOf);
    if (hidesEvents(p?.level)) return false;
    if (!readable && canRead(p?.level) && admits(p, e, now)) readable = true;
  }
  return readable;
}

/** Update rule 2 / 4 (§7.5): some stream of the event is writable and its permission admits the event. */
export function writableThrough(perms: Permissions, parentOf: ParentOf, e: EventFacts, now: number): boolean {
  if (perms.isPersonal) return true;
  return e.streamIds.some((s) => {
    const p = perms.effective(s, parentOf);
    return canWriteEvents(p?.level) && admits(p, e, now);
  });
}

/** Create rule (§7.5): every target stream allows creation and admits the event. */
export function canCreateIn(perms: Permissions, parentOf: ParentOf, e: EventFacts, now: number): boolean {
  if (perms.isPersonal) return true;
  return e.streamIds.every((s) => {
    const p = perms.effective(s, parentOf);
    return canCreateEvents(p?.level) && admits(p, e, now);
  });
}

/**
 * §7.4 as sets over the tree, for SQL: `null` for personal accesses (no filtering). Streams governed by the same
 * entry share its narrowing; all un-narrowed readable streams form one grant.
 */
export function visibilityPlan(perms: Permissions, streamIds: Iterable<string>, parentOf: ParentOf): VisibilityPlan | null {
  if (perms.isPersonal) return null;
  const hidden: string[] = [];
  const plain: string[] = [];
  const narrowed = new Map<StreamPermission, string[]>();
  for (const id of streamIds) {
    const p = perms.effective(id, parentOf);
    if (!p) continue;
    if (hidesEvents(p.level)) hidden.push(id);
    else if (canRead(p.level)) {
      if (!isNarrowed(p)) plain.push(id);
      else {
        const list = narrowed.get(p);
        if (list) list.push(id);
        else narrowed.set(p, [id]);
      }
    }
  }
  const grants: GrantSet[] = [];
  if (plain.length > 0) grants.push({ s: plain });
  for (const [p, s] of narrowed) {
    const g: GrantSet = { s };
    if (p.tags !== undefined) g.t = p.tags;
    if (p.fromTime !== undefined) g.f = p.fromTime;
    if (p.toTime !== undefined) g.u = p.toTime;
    grants.push(g);
  }
  return { hidden, grants };
}

/** An access's visibility as events.get applies it (decision 029). */
export interface CompiledVisibility {
  plan: VisibilityPlan;
  /**
   * The access reads whole streams and hides none: an event is visible exactly when one of its streams is
   * readable, which a streams query expanded over readable streams (src/methods/streams-query.ts) already
   * says. The query then needs no visibility clause of its own.
   */
  streamsOnly: boolean;
}

const VISIBILITY_CACHE_MAX_ENTRIES = 1000;
const VISIBILITY_CACHE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Plans by (user, access, its permissions as stored, tree version): the stored permissions text is the exact
 * input of the plan, and the version moves with every stream change, so an entry is never stale, only unused.
 * Planning walks every stream of the tree up to its governing entry; a hit costs one map lookup.
 */
const plans = new BoundedCache<string, CompiledVisibility>({
  maxEntries: VISIBILITY_CACHE_MAX_ENTRIES,
  maxBytes: VISIBILITY_CACHE_MAX_BYTES,
  sizeOf: (v, key) => jsonHeapBytes([key, v.plan]),
});

/** The access's events.get visibility on this tree, planned once per (permissions, tree version); null for personal accesses. */
export function compiledVisibility(
  access: { userId: string; id: string; permissions: string },
  perms: Permissions,
  tree: Pick<StreamTree, 'version' | 'byId' | 'parentOf'>,
): CompiledVisibility | null {
  if (perms.isPersonal) return null;
  const key = `${access.userId}\u0000${access.id}\u0000${tree.version}\u0000${access.permissions}`;
  const hit = plans.get(key);
  if (hit) return hit;
  const plan = visibilityPlan(perms, tree.byId.keys(), tree.parentOf) as VisibilityPlan;
  const g = plan.grants;
  const streamsOnly = plan.hidden.length === 0 && g.length === 1 && g[0].t === undefined && g[0].f === undefined && g[0].u === undefined;
  const compiled = { plan, streamsOnly };
  plans.set(key, compiled);
  return compiled;
}
