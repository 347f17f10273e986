/**
 * Composite access ids (§5.7.6). Storage keeps an access's base id and its `serial` (0 until the first
 * accesses.update) in their own columns; the wire shows `<base>` for a never-updated access and
 * `<base>:<serial>` after. Base ids are cuid2 or reserved-free tokens of `[a-z0-9]`, so the `:` split is unambiguous.
 */
export interface AccessRef {
  base: string;
  /** null for a bare id. */
  serial: number | null;
}

/** `abc` → {abc, null}; `abc:3` → {abc, 3}; null for anything else (an empty base, a serial that is not ≥ 1). */
export function parseAccessRef(id: string): AccessRef | null {
  const colon = id.indexOf(':');
  if (colon === -1) return id.length > 0 ? { base: id, serial: null } : null;
  const base = id.slice(0, colon);
  const tail = id.slice(colon + 1);
  if (base.length === 0 || !/^[1-9][0-9]{0,15}$/.test(tail)) return null;
  return { base, serial: Number(tail) };
}

/** The wire id of an access row. Cached rows written before versioning carry no `serial`: never updated. */
export function wireAccessId(access: { id: string; serial?: number | null }): string {
  const serial = access.serial ?? 0;
  return serial > 0 ? `${access.id}:${serial}` : access.id;
}

/** Whether `ref` names the current version: the bare id of a never-updated access, or the current serial. */
export const isCurrentRef = (ref: AccessRef, serial: number): boolean => (ref.serial ?? 0) === serial;
