import type { StreamRow } from '../storage/schema';

/** The wire form of a stream (§4.3): `parentId` always, `trashed` only when true, `children` only from streams.get. */
export function streamOutput(row: StreamRow, children?: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = { id: row.id, name: row.name, parentId: row.parentId ?? null };
  if (row.clientData !== null) out.clientData = JSON.parse(row.clientData);
  if (row.trashed) out.trashed = true;
  if (children !== undefined) out.children = children;
  out.created = row.created;
  out.createdBy = row.createdBy;
  out.modified = row.modified;
  out.modifiedBy = row.modifiedBy;
  return out;
}
