/** Reading one event for a method: 404 for unknown and deleted ids, 403 when the access may not see or write it. */
import type { AccessContext } from '../core/context';
import { err } from '../core/errors';
import { isVisible, writableThrough } from '../auth/event-visibility';
import { fromRow, selectEvent, type EventDbRow, type StoredEvent } from '../storage/events';
import type { StreamTree } from '../storage/stream-tree';
import { runRead, withTree } from './tree-calls';

export const unknownEvent = (id: string) => err.unknownResource(`Unknown event "${id}".`);

/** Reads a live event (404 for unknown and deleted ones) within a tree-checked round trip. */
export async function loadEvent(ctx: AccessContext, tree: StreamTree, id: string): Promise<StoredEvent> {
  const [rows] = (await runRead(ctx, tree, [selectEvent(ctx.db, ctx.user.id, id)])) as [EventDbRow[]];
  if (rows.length === 0 || rows[0].deleted !== null) throw unknownEvent(id);
  return fromRow(rows[0]);
}

/** Update rules 1 and 2 (§7.5): the access sees the event and can write to it through one of its streams. */
export function requireWritable(ctx: AccessContext, tree: StreamTree, e: StoredEvent): void {
  if (!isVisible(ctx.permissions, tree.parentOf, e, ctx.now) || !writableThrough(ctx.permissions, tree.parentOf, e, ctx.now)) {
    throw err.forbidden();
  }
}

/** A live event the access sees now (§7.4): 404 when unknown or deleted, 403 when not visible. */
export async function readVisibleEvent(ctx: AccessContext, id: string): Promise<StoredEvent> {
  if (ctx.permissions.isPersonal) {
    // Personal accesses see every event: no stream tree needed, one round trip.
    const { results } = await ctx.run([selectEvent(ctx.db, ctx.user.id, id)]);
    const row = results[0][0];
    if (!row || row.deleted !== null) throw unknownEvent(id);
    return fromRow(row);
  }
  return withTree(ctx, async (tree) => {
    const found = await loadEvent(ctx, tree, id);
    if (!isVisible(ctx.permissions, tree.parentOf, found, ctx.now)) throw err.forbidden();
    return found;
  });
}
