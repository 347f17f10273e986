import { parseJson } from '../storage/db';
import type { AccessRow } from '../storage/schema';

/** The wire form of an access (§4.4); optional fields absent or null are omitted, `deviceName` always present. */
export function accessOutput(row: AccessRow, token: string | null, apiEndpoint: string | null): Record<string, unknown> {
  const out: Record<string, unknown> = { id: row.id };
  if (token !== null) out.token = token;
  if (apiEndpoint !== null) out.apiEndpoint = apiEndpoint;
  out.type = row.type;
  out.name = row.name;
  out.deviceName = row.deviceName ?? null;
  out.permissions = row.type === 'personal' ? [] : parseJson(row.permissions, []);
  if (row.expires !== null) out.expires = row.expires;
  if (row.lastUsed !== null) out.lastUsed = row.lastUsed;
  if (row.clientData !== null) out.clientData = parseJson(row.clientData, {});
  out.created = row.created;
  out.createdBy = row.createdBy;
  out.modified = row.modified;
  out.modifiedBy = row.modifiedBy;
  if (row.deleted !== null) out.deleted = row.deleted;
  return out;
}
