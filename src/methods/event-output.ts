/**
 * Events as the calling access receives them: the stored wire form plus, on each attachment, the `readToken`
 * computed for that access (§4.6). Events without attachments cost nothing more.
 */
import type { AccessContext } from '../core/context';
import { readTokenFor } from '../auth/read-tokens';
import { tokenKey } from '../auth/session';
import { JsonText } from '../core/payload';
import { attachmentsOutput, eventOutput, type StoredAttachment, type StoredEvent } from '../storage/events';
import type { EventJsonRow } from '../storage/events-query';

async function readTokensFor(ctx: AccessContext, files: readonly StoredAttachment[]): Promise<Map<string, string>> {
  const secret = tokenKey(ctx.env);
  return new Map(await Promise.all(files.map(async (a) => [a.id, await readTokenFor(secret, ctx.user.username, ctx.access.id, a.id)] as const)));
}

export async function presentEvent(ctx: AccessContext, e: StoredEvent): Promise<Record<string, unknown>> {
  if (!e.attachments?.length) return eventOutput(e);
  return eventOutput(e, await readTokensFor(ctx, e.attachments));
}

/** One event SQLite wrote as wire JSON; its files (if any) are added here, with their read tokens. */
async function presentJsonRow(ctx: AccessContext, r: EventJsonRow): Promise<JsonText> {
  const files = r.a === null ? [] : (JSON.parse(r.a) as StoredAttachment[]);
  if (files.length === 0) return new JsonText(r.h + r.t);
  return new JsonText(`${r.h},"attachments":${JSON.stringify(attachmentsOutput(files, await readTokensFor(ctx, files)))}${r.t}`);
}

/** A page of SQLite-written events (decision 029): no row is parsed unless it has files. */
export async function presentJsonRows(ctx: AccessContext, rows: readonly EventJsonRow[]): Promise<JsonText[]> {
  if (!rows.some((r) => r.a !== null)) return rows.map((r) => new JsonText(r.h + r.t));
  return Promise.all(rows.map((r) => presentJsonRow(ctx, r)));
}
