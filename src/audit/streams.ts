/**
 * The audit store's streams (§5.13): `:_audit:` (everything), `:_audit:accesses` and `:_audit:actions`
 * (everything, by access or by action), `:_audit:access-{id}` and `:_audit:action-{methodId}` (one record each
 * belongs to one of both). They are not in the account's stream tree: `*` never reaches them and `streams.get`
 * never lists them. Who may read which (§5.13, §7.3): personal accesses all; any other access its own
 * `:_audit:access-{ownId}`, plus what it was granted at `read` on one of these ids or their parents.
 */
import type { Permissions } from '../core/permissions';
import type { AuditStreamCondition } from '../storage/audit';

export const AUDIT_PREFIX = ':_audit:';
export const AUDIT_ROOT = AUDIT_PREFIX;
export const AUDIT_ACCESSES = `${AUDIT_PREFIX}accesses`;
export const AUDIT_ACTIONS = `${AUDIT_PREFIX}actions`;
const ACCESS_PREFIX = `${AUDIT_PREFIX}access-`;
const ACTION_PREFIX = `${AUDIT_PREFIX}action-`;

export type AuditStream =
  | { kind: 'root' | 'accesses' | 'actions' }
  | { kind: 'access'; accessId: string }
  | { kind: 'action'; methodId: string };

/** Whether an id (or an event id) lives in the audit store. */
export const isAuditId = (id: string): boolean => id.startsWith(AUDIT_PREFIX);

export const accessStreamId = (accessId: string) => `${ACCESS_PREFIX}${accessId}`;
export const actionStreamId = (methodId: string) => `${ACTION_PREFIX}${methodId}`;

/** The audit stream an id names (without `!`), or null when it names none. */
export function parseAuditStream(id: string): AuditStream | null {
  if (id === AUDIT_ROOT) return { kind: 'root' };
  if (id === AUDIT_ACCESSES) return { kind: 'accesses' };
  if (id === AUDIT_ACTIONS) return { kind: 'actions' };
  if (id.startsWith(ACCESS_PREFIX) && id.length > ACCESS_PREFIX.length) return { kind: 'access', accessId: id.slice(ACCESS_PREFIX.length) };
  if (id.startsWith(ACTION_PREFIX) && id.length > ACTION_PREFIX.length) return { kind: 'action', methodId: id.slice(ACTION_PREFIX.length) };
  return null;
}

/** The parent of an audit stream, as grants inherit: leaves under their group, groups under the root. */
function auditParent(stream: AuditStream): string | null {
  if (stream.kind === 'access') return AUDIT_ACCESSES;
  if (stream.kind === 'action') return AUDIT_ACTIONS;
  if (stream.kind === 'root') return null;
  return AUDIT_ROOT;
}

const READ_LEVELS = new Set(['read', 'contribute', 'manage']);

/** Whether the access may read the audit stream `id` (parsed as `stream`). */
export function auditReadable(perms: Permissions, ownAccessId: string, id: string, stream: AuditStream): boolean {
  if (perms.isPersonal) return true;
  if (stream.kind === 'access' && stream.accessId === ownAccessId) return true;
  for (let current: string | null = id; current !== null; current = auditParent(parseAuditStream(current)!)) {
    const entry = perms.streamEntries.get(current);
    if (entry) return READ_LEVELS.has(entry.level);
  }
  return false;
}

/**
 * The records an id stands for. Records sit in the leaves only, so `x!` on the root or a group is empty
 * (§6.2: `x!` is x alone).
 */
export function auditCondition(stream: AuditStream, exact: boolean): AuditStreamCondition {
  if (stream.kind === 'access') return { accessId: stream.accessId };
  if (stream.kind === 'action') return { methodId: stream.methodId };
  return exact ? { none: true } : { all: true };
}

/** Every audit stream `child` was granted, `parent` (the access `parentId`) can read itself: §7.7 for audit. */
export function auditGrantsCovered(parent: Permissions, parentId: string, child: Permissions): boolean {
  for (const id of child.streamEntries.keys()) {
    if (!isAuditId(id)) continue;
    const stream = parseAuditStream(id);
    if (stream === null || !auditReadable(parent, parentId, id, stream)) return false;
  }
  return true;
}
