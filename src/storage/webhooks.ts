/**
 * SQL of webhooks (§4.8, §5.12) and of their delivery bookkeeping. Every delivery step is one guarded
 * statement, so racing producers and consumers (and re-delivered queue messages) leave exact counts.
 */
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db';
import { webhooks, type WebhookRow } from './schema';

/** Runs kept per webhook, newest first on the wire (§4.8). */
export const MAX_RUNS = 20;

export function insertWebhook(db: Db, row: WebhookRow) {
  return db.insert(webhooks).values(row);
}

/** The account's webhooks (or those of one access), by `modified` (§5.12). */
export function selectWebhooks(db: Db, userId: string, accessId?: string) {
  return db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.userId, userId), accessId === undefined ? undefined : eq(webhooks.accessId, accessId)))
    .orderBy(asc(webhooks.modified), asc(webhooks.id));
}

export function selectWebhook(db: Db, userId: string, id: string) {
  return db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.userId, userId), eq(webhooks.id, id)))
    .limit(1);
}

/** `state` is the only writable field; setting `active` resets the retry count (§4.8). */
export function updateWebhookState(db: Db, userId: string, id: string, state: 'active' | 'inactive', now: number, by: string) {
  return db
    .update(webhooks)
    .set({ state, modified: now, modifiedBy: by, ...(state === 'active' ? { currentRetries: 0 } : {}) })
    .where(and(eq(webhooks.userId, userId), eq(webhooks.id, id)))
    .returning();
}

export function deleteWebhook(db: Db, userId: string, id: string) {
  return db
    .delete(webhooks)
    .where(and(eq(webhooks.userId, userId), eq(webhooks.id, id)))
    .returning({ id: webhooks.id });
}

/** The webhooks of the account's deleted accesses go with them (§7.9 cascade); placed after the deletion. */
export function deleteWebhooksOfDeletedAccesses(db: Db, userId: string) {
  return db.run(sql`
    DELETE FROM webhooks WHERE user_id = ${userId}
      AND access_id IN (SELECT id FROM accesses WHERE user_id = ${userId} AND deleted IS NOT NULL)`);
}

/** Set union of two JSON arrays of names. */
const union = (a: SQL, b: SQL) => sql`(SELECT json_group_array(value) FROM (SELECT value FROM json_each(${a}) UNION SELECT value FROM json_each(${b})))`;
const PENDING = sql.raw('pending');
const INFLIGHT = sql.raw('inflight');

/**
 * A change of the account: its names join every active webhook's `pending` set, and the webhooks with no
 * delivery queued yet take `token` as theirs. Returns each webhook's schedule token: the caller queues one
 * message for each webhook whose token is `token`, the others already have one on its way (throttling).
 */
export function addPending(db: Db, userId: string, names: string[], token: string) {
  return db.all<{ id: string; scheduleToken: string; nextRunAt: number }>(sql`
    UPDATE webhooks SET
      pending = ${union(PENDING, sql`${JSON.stringify(names)}`)},
      schedule_token = coalesce(schedule_token, ${token})
    WHERE user_id = ${userId} AND state = 'active'
    RETURNING id, schedule_token AS scheduleToken, next_run_at AS nextRunAt`);
}

/** What a delivery needs, with the creating access's state to refuse delivery for a dead access. */
export interface ClaimedDelivery {
  id: string;
  url: string;
  secretSealed: string;
  messages: string;
  currentRetries: number;
  accessLive: number;
  accessExpires: number | null;
}

const claimColumns = sql.raw(`id, url, secret_sealed AS secretSealed, inflight AS messages, current_retries AS currentRetries,
  EXISTS (SELECT 1 FROM accesses a WHERE a.user_id = webhooks.user_id AND a.id = webhooks.access_id AND a.deleted IS NULL) AS accessLive,
  (SELECT a.expires FROM accesses a WHERE a.user_id = webhooks.user_id AND a.id = webhooks.access_id) AS accessExpires`);

/**
 * Takes the pending messages of the delivery named `token` (the queue message's), moving them in flight. A
 * message whose delivery is already in flight under the same token (re-delivered after a crash) gets that
 * delivery again; any other finds nothing.
 */
export function claimDelivery(db: Db, userId: string, id: string, token: string) {
  return db.all<ClaimedDelivery>(sql`
    UPDATE webhooks SET
      inflight = CASE WHEN inflight_token = ${token} THEN inflight ELSE pending END,
      pending = CASE WHEN inflight_token = ${token} THEN pending ELSE '[]' END,
      schedule_token = CASE WHEN schedule_token = ${token} THEN NULL ELSE schedule_token END,
      inflight_token = ${token}
    WHERE user_id = ${userId} AND id = ${id} AND state = 'active'
      AND (schedule_token = ${token} OR inflight_token = ${token})
    RETURNING ${claimColumns}`);
}

/** One run in the bookkeeping: appended (oldest first), the oldest dropped past `MAX_RUNS`. */
function appendRun(status: number, timestamp: number) {
  const run = JSON.stringify({ status, timestamp });
  return sql`json_remove(json_insert(runs, '$[#]', json(${run})), CASE WHEN json_array_length(runs) >= ${MAX_RUNS} THEN '$[0]' ELSE '$[#]' END)`;
}

export interface RunOutcome {
  status: number;
  ok: boolean;
  time: number;
  /** For a failure that will be retried: the schedule token of the retry. */
  retryToken: string | null;
  maxRetries: number;
  minIntervalSeconds: number;
}

/**
 * Records the run of the in-flight delivery `token`, once: a second call with the same token changes nothing.
 * A failure puts the messages back in `pending`, counts a retry and, past `maxRetries`, deactivates the
 * webhook; otherwise the retry takes `retryToken`. Returns the row as it is after the run (none if already
 * recorded).
 */
export function recordRun(db: Db, userId: string, id: string, token: string, o: RunOutcome) {
  const failed = o.ok ? 0 : 1;
  return db.all<{ state: string; currentRetries: number; scheduleToken: string | null }>(sql`
    UPDATE webhooks SET
      runs = ${appendRun(o.status, o.time)},
      run_count = run_count + 1,
      fail_count = fail_count + ${failed},
      current_retries = CASE WHEN ${failed} = 1 THEN current_retries + 1 ELSE 0 END,
      state = CASE WHEN ${failed} = 1 AND current_retries + 1 >= ${o.maxRetries} THEN 'inactive' ELSE state END,
      pending = CASE WHEN ${failed} = 1 THEN ${union(PENDING, INFLIGHT)} ELSE pending END,
      schedule_token = CASE WHEN ${failed} = 1 AND current_retries + 1 < ${o.maxRetries} THEN coalesce(schedule_token, ${o.retryToken}) ELSE schedule_token END,
      next_run_at = ${o.time + o.minIntervalSeconds},
      inflight = '[]',
      inflight_token = NULL
    WHERE user_id = ${userId} AND id = ${id} AND inflight_token = ${token}
    RETURNING state, current_retries AS currentRetries, schedule_token AS scheduleToken`);
}

/** A run outside the queue (`webhooks.test`): counted like the others, leaves the retries and the queue alone. */
export function recordTestRun(db: Db, userId: string, id: string, status: number, ok: boolean, time: number) {
  return db.run(sql`
    UPDATE webhooks SET
      runs = ${appendRun(status, time)},
      run_count = run_count + 1,
      fail_count = fail_count + ${ok ? 0 : 1}
    WHERE user_id = ${userId} AND id = ${id}`);
}

/** A delivery dropped because its access is gone or expired: the webhook stops (§7.9). */
export function stopWebhook(db: Db, userId: string, id: string) {
  return db
    .update(webhooks)
    .set({ state: 'inactive', inflight: '[]', inflightToken: null, scheduleToken: null })
    .where(and(eq(webhooks.userId, userId), eq(webhooks.id, id)));
}

