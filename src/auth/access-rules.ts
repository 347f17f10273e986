/**
 * Pure rules about accesses (no I/O): the subset rule an app's children must satisfy (§7.7), the expiry
 * chain (§5.7.3), and who may read, update or delete which access (§7.8).
 */
import { err } from '../core/errors';
import type { AccessRow } from '../storage/schema';
import { isStreamPermission, Permissions, type AccessType, type Level, type ParentOf, type Permission, type StreamPermission } from '../core/permissions';

/** What each level of the parent may hand down (§7.7 table). */
const GRANTABLE: Record<Level, readonly Level[]> = {
  manage: ['none', 'read', 'create-only', 'contribute', 'manage'],
  contribute: ['none', 'read', 'create-only', 'contribute'],
  read: ['none', 'read'],
  'create-only': ['none'],
  none: ['none'],
};

export function levelCovers(parent: Level | null, child: Level | null): boolean {
  return GRANTABLE[parent ?? 'none'].includes(child ?? 'none');
}

/** The child's narrowing is at least as narrow as the parent's (§7.7 "Narrowing"). */
export function narrowingCovers(parent: StreamPermission, child: StreamPermission): boolean {
  if (parent.tags !== undefined) {
    if (child.tags === undefined || !child.tags.every((t) => parent.tags!.includes(t))) return false;
  }
  if (parent.fromTime !== undefined && (child.fromTime === undefined || child.fromTime < parent.fromTime)) return false;
  if (parent.toTime !== undefined && (child.toTime === undefined || child.toTime > parent.toTime)) return false;
  return true;
}

/** P(child, s) is covered by P(parent, s): level within the table, and narrowing no wider. */
export function entryCovers(parent: StreamPermission | null, child: StreamPermission | null): boolean {
  const childLevel = child?.level ?? 'none';
  if (childLevel === 'none') return true;
  if (!parent || !levelCovers(parent.level, childLevel)) return false;
  return narrowingCovers(parent, child!);
}

/**
 * The subset rule: for every existing stream and for `*`, the child's effective permission is covered by
 * the parent's. `streamIds` are all the account's streams; `parentOf` walks their tree.
 */
export function permissionsCovered(parent: Permissions, child: Permissions, streamIds: Iterable<string>, parentOf: ParentOf): boolean {
  if (parent.isPersonal) return true;
  for (const s of ['*', ...streamIds]) {
    if (!entryCovers(parent.effective(s, parentOf), child.effective(s, parentOf))) return false;
  }
  return true;
}

/** The expiry chain: a child of an expiring app must expire no later (§5.7.3). Null when it holds. */
export function expiryViolation(parentExpires: number | null, requestedExpires: number | null): { parentExpires: number; requestedExpires: number | null } | null {
  if (parentExpires === null) return null;
  if (requestedExpires !== null && requestedExpires <= parentExpires) return null;
  return { parentExpires, requestedExpires };
}

/** Features an app passes on to the shared accesses it creates: only `secretSharing` (§7.7). */
export function inheritedFeatures(parent: Permissions, child: readonly Permission[]): Permission[] {
  const out = [...child];
  const has = (f: string) => out.some((p) => !isStreamPermission(p) && p.feature === f);
  if (parent.featureForbidden('secretSharing') && !has('secretSharing')) out.push({ feature: 'secretSharing', setting: 'forbidden' });
  return out;
}

/** Whether a child access still fits its app after the app changes (§5.7.4 `offendingChildren`). */
export function childFits(
  app: { permissions: Permissions; expires: number | null },
  child: { permissions: Permissions; expires: number | null },
  streamIds: Iterable<string>,
  parentOf: ParentOf,
): boolean {
  return permissionsCovered(app.permissions, child.permissions, streamIds, parentOf) && expiryViolation(app.expires, child.expires) === null;
}

export function isExpired(access: Pick<AccessRow, 'expires'>, now: number): boolean {
  return access.expires !== null && access.expires < now;
}

interface Caller {
  id: string;
  type: AccessType;
}

/** accesses.get: personal sees all; an app only the accesses it created (§5.7.1). */
export function mayList(caller: Caller, target: Pick<AccessRow, 'parentId'>): boolean {
  return caller.type === 'personal' || (caller.type === 'app' && target.parentId === caller.id);
}

/** accesses.update (§5.7.4): never itself, never a personal access; an app only its shared children. */
export function assertMayUpdate(caller: Caller, target: Pick<AccessRow, 'id' | 'type' | 'parentId'>): void {
  if (target.id === caller.id) throw err.forbidden('An access cannot update itself.');
  if (target.type === 'personal') throw err.forbidden('Personal accesses cannot be updated.');
  if (caller.type === 'personal') return;
  if (caller.type === 'app' && target.type === 'shared' && target.parentId === caller.id) return;
  throw err.forbidden();
}

/** accesses.delete (§5.7.5): itself (unless selfRevoke is forbidden); personal any; app its shared children. */
export function assertMayDelete(caller: Caller & { permissions: Permissions }, target: Pick<AccessRow, 'id' | 'type' | 'parentId'>): void {
  if (target.id === caller.id) {
    if (caller.permissions.featureForbidden('selfRevoke')) throw err.forbidden('This access may not revoke itself (selfRevoke forbidden).');
    return;
  }
  if (caller.type === 'personal') return;
  if (caller.type === 'app' && target.type === 'shared' && target.parentId === caller.id) return;
  throw err.forbidden();
}
