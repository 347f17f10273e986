/**
 * From the change feed to the queue: a change notice adds its names to every active webhook of the account,
 * and each webhook with no delivery queued yet gets one queue message, delayed to bundle the changes of the
 * next `minIntervalMs` (and never before the webhook's `next_run_at`). Runs after the response (waitUntil):
 * one D1 statement and one queue send, none of it on the write's path, and nothing at all when the request's
 * access check saw no active webhook on the account.
 */
import type { Config } from '../config';
import type { ChangeNotice } from '../core/notices';
import type { Env, WebhookDelivery } from '../env';
import { newId } from '../lib/ids';
import { dbFor } from '../storage/directory';
import { addPending } from '../storage/webhooks';

/** The wire names of the change kinds (§5.14). */
const MESSAGE: Record<ChangeNotice['changes'][number], string> = {
  events: 'eventsChanged',
  streams: 'streamsChanged',
  accesses: 'accessesChanged',
};

/** Queue delays are whole seconds; the bundling window is at least one. */
export function delaySeconds(config: Config, nextRunAt: number, now: number): number {
  return Math.max(Math.ceil(config.webhooks.minIntervalMs / 1000), Math.ceil(nextRunAt - now), 0);
}

export async function scheduleDeliveries(env: Env, config: Config, notice: ChangeNotice): Promise<void> {
  if (!notice.webhooks) return;
  const token = newId();
  const db = await dbFor(env, notice.username);
  if (!db) return;
  const rows = await addPending(db, notice.userId, notice.changes.map((c) => MESSAGE[c]), token);
  const mine = rows.filter((r) => r.scheduleToken === token);
  if (mine.length === 0) return;
  const now = Date.now() / 1000;
  await env.WEBHOOKS.sendBatch(
    mine.map((r) => ({
      body: { userId: notice.userId, username: notice.username, webhookId: r.id, token } satisfies WebhookDelivery,
      delaySeconds: delaySeconds(config, r.nextRunAt, now),
    })),
  );
}
