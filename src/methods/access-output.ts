import { unsealToken } from '../auth/crypto';
import { tokenKey } from '../auth/session';
import type { AccessContext } from '../core/context';
import { wireAccessId } from '../lib/access-refs';
import { apiEndpoint, userRoot } from '../lib/urls';
import { parseJson } from '../storage/db';
import type { AccessRow } from '../storage/schema';

/** The wire form of an access (§4.4); optional fields absent or null are omitted, `deviceName` always present. */
export function accessOutput(row: AccessRow, token: string | null, apiEndpoint: string | null): Record<string, unknown> {
  const out: Record<string, unknown> = { id: wireAccessId(row) };
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

export const endpointFor = (ctx: AccessContext, token: string) => apiEndpoint(userRoot(ctx.config, ctx.request.baseUrl, ctx.user.username), token);

/** The wire form with the token recovered from its sealed copy (none for ended sessions). */
export async function withToken(ctx: AccessContext, row: AccessRow): Promise<Record<string, unknown>> {
  const token = row.tokenSealed ? await unsealToken(tokenKey(ctx.env), row.tokenSealed) : null;
  return accessOutput(row, token, token ? endpointFor(ctx, token) : null);
}
