/**
 * The audit queue's consumer (the Worker's `queue()` handler): validates each message, appends each account's
 * records to its chain, and acknowledges a message only once its records are in D1. A message whose append
 * fails is retried by the queue (and, after `max_retries`, moved to the dead-letter queue for the operator);
 * the other messages of the batch are not held back. See docs/decisions/018-audit-storage.md.
 */
import * as v from 'valibot';
import type { AuditEntry } from '../core/audit';
import type { Env } from '../env';
import { dbFor, forgetPlacement } from '../storage/directory';
import { appendAuditEntries } from './append';

const text = v.string();
const entrySchema = v.object({
  id: v.pipe(text, v.minLength(1)),
  userId: v.pipe(text, v.minLength(1)),
  username: v.pipe(text, v.minLength(1)),
  accessId: v.pipe(text, v.minLength(1)),
  methodId: v.pipe(text, v.minLength(1)),
  time: v.pipe(v.number(), v.finite()),
  source: v.object({ name: v.picklist(['http', 'websocket']), ip: text }),
  query: v.record(v.string(), v.unknown()),
  error: v.optional(v.object({ id: text, message: text })),
});
const messageSchema = v.object({ records: v.pipe(v.array(entrySchema), v.minLength(1)) });

/** Records per guarded append: keeps each D1 batch and its JSON parameters small whatever a delivery holds. */
const APPEND_CHUNK = 1000;

/** Seconds before a failed message is delivered again: D1 failures are usually brief. */
const RETRY_DELAY_SECONDS = 10;

interface Group {
  username: string;
  entries: AuditEntry[];
  messages: Message[];
}

/** Handles one delivery. Never throws: each message is acknowledged or retried on its own. */
export async function consumeAuditBatch(batch: MessageBatch, env: Env): Promise<void> {
  const groups = new Map<string, Group>();
  for (const message of batch.messages) {
    const parsed = v.safeParse(messageSchema, message.body);
    if (!parsed.success || new Set(parsed.output.records.map((r) => r.userId)).size !== 1) {
      // Not something this Worker sends: retried until the dead-letter queue keeps it for a person to look at.
      console.error(`audit: malformed message ${message.id}`);
      message.retry();
      continue;
    }
    const { records } = parsed.output;
    const group = groups.get(records[0].userId) ?? { username: records[0].username, entries: [], messages: [] };
    group.entries.push(...records);
    group.messages.push(message);
    groups.set(records[0].userId, group);
  }
  await Promise.all(
    [...groups].map(async ([userId, group]) => {
      try {
        // Messages of a batch come in any order: the chain follows the calls' time (stable for equal times).
        const entries = [...group.entries].sort((a, b) => a.time - b.time);
        const db = await dbFor(env, group.username);
        if (!db) throw new Error('no shard holds this account');
        // Bounded appends: a chunk stored before a later one fails is skipped by id when the messages come back.
        for (let i = 0; i < entries.length; i += APPEND_CHUNK) await appendAuditEntries(db, userId, entries.slice(i, i + APPEND_CHUNK));
        for (const m of group.messages) m.ack();
      } catch (e) {
        console.error(`audit: append for ${group.username} failed, will retry:`, e instanceof Error ? e.message : String(e));
        // The cached placement may name the shard the account was moved from (its triggers refuse the append).
        await forgetPlacement(env, group.username).catch(() => undefined);
        for (const m of group.messages) m.retry({ delaySeconds: RETRY_DELAY_SECONDS });
      }
    }),
  );
}
