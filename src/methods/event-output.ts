/**
 * Events as the calling access receives them: the stored wire form plus, on each attachment, the `readToken`
 * computed for that access (§4.6). Events without attachments cost nothing more.
 */
import type { AccessContext } from '../core/context';
import { readTokenFor } from '../auth/read-tokens';
import { tokenKey } from '../auth/session';
import { eventOutput, fromRow, type EventDbRow, type StoredEvent } from '../storage/events';

export async function presentEvent(ctx: AccessContext, e: StoredEvent): Promise<Record<string, unknown>> {
  if (!e.attachments?.length) return eventOutput(e);
  const secret = tokenKey(ctx.env);
  const tokens = await Promise.all(e.attachments.map(async (a) => [a.id, await readTokenFor(secret, ctx.user.username, ctx.access.id, a.id)] as const));
  return eventOutput(e, new Map(tokens));
}

/** A page of rows; only rows with attachments wait for their tokens. */
export async function presentRows(ctx: AccessContext, rows: readonly EventDbRow[]): Promise<Record<string, unknown>[]> {
  if (!rows.some((r) => r.attachments !== null)) return rows.map((r) => eventOutput(fromRow(r)));
  return Promise.all(rows.map((r) => presentEvent(ctx, fromRow(r))));
}
