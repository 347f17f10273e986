/**
 * Where a request's audit records go (docs/decisions/018-audit-storage.md): to the isolate's hook (tests,
 * future subscribers), and, for calls made under a resolved access (§5.13), to the audit queue, sent from
 * `waitUntil` after the response. Nothing touches D1 here: the queue's consumer appends to the chain.
 */
import type { AuditEntry, AuditMessage, AuditRecord, AuditSink } from '../core/audit';
import type { Env } from '../env';
import { newId } from '../lib/ids';
import { utf8Length } from '../lib/utf8';
import { auditSink as hookSink } from './hooks';

const size = (x: unknown) => utf8Length(JSON.stringify(x));

/** Queues take messages up to 128 KB: keep each well below, whatever a batch of 1,000 calls records. */
const MAX_MESSAGE_BYTES = 96 * 1024;
/** `sendBatch` takes up to 100 messages and 256 KB in all. */
const MAX_BATCH_MESSAGES = 100;
const MAX_BATCH_BYTES = 224 * 1024;
/** A failed send is tried again this many times in all, a little later each time, before it is logged lost. */
const SEND_ATTEMPTS = 3;
const RETRY_DELAY_MS = 50;

/**
 * A query larger than this is stored as `{_truncated: true, bytes}`: one record must fit in a queue message,
 * and a 10,000-id streams query says nothing an audit reader needs beyond its size.
 */
export const MAX_QUERY_BYTES = 8 * 1024;

function boundedQuery(query: Record<string, unknown>): Record<string, unknown> {
  const bytes = size(query);
  return bytes > MAX_QUERY_BYTES ? { _truncated: true, bytes } : query;
}

/** The records that are stored: calls made with a resolved access on an existing account, with their id. */
export function storedEntries(records: readonly AuditRecord[]): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const r of records) {
    if (r.userId === null || r.accessId === null || r.methodId === null) continue;
    const entry: AuditEntry = {
      id: newId(), userId: r.userId, username: r.username, accessId: r.accessId, methodId: r.methodId,
      time: r.time, source: r.source, query: boundedQuery(r.query),
    };
    if (r.error) entry.error = { id: r.error.id, message: r.error.message };
    out.push(entry);
  }
  return out;
}

/** Messages of one account's records each (a request addresses one account), under the size limit. */
export function auditMessages(entries: readonly AuditEntry[]): { body: AuditMessage; bytes: number }[] {
  const byUser = new Map<string, AuditEntry[]>();
  for (const e of entries) {
    const list = byUser.get(e.userId);
    if (list) list.push(e);
    else byUser.set(e.userId, [e]);
  }
  const out: { body: AuditMessage; bytes: number }[] = [];
  for (const list of byUser.values()) {
    let current: AuditEntry[] = [];
    let bytes = 0;
    for (const e of list) {
      const n = size(e) + 1;
      if (current.length > 0 && bytes + n > MAX_MESSAGE_BYTES) {
        out.push({ body: { records: current }, bytes });
        current = [];
        bytes = 0;
      }
      current.push(e);
      bytes += n;
    }
    if (current.length > 0) out.push({ body: { records: current }, bytes });
  }
  return out;
}

async function sendWithRetry(queue: Queue, messages: { body: AuditMessage }[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await queue.sendBatch(messages.map((m) => ({ body: m.body, contentType: 'json' as const })));
      return;
    } catch (e) {
      if (attempt >= SEND_ATTEMPTS) throw e;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * attempt));
    }
  }
}

/** Sends the entries in as few `sendBatch` calls as the limits allow. */
export async function sendAuditEntries(queue: Queue, entries: readonly AuditEntry[]): Promise<void> {
  const messages = auditMessages(entries);
  const sends: Promise<void>[] = [];
  let group: typeof messages = [];
  let bytes = 0;
  for (const m of messages) {
    if (group.length > 0 && (group.length >= MAX_BATCH_MESSAGES || bytes + m.bytes > MAX_BATCH_BYTES)) {
      sends.push(sendWithRetry(queue, group));
      group = [];
      bytes = 0;
    }
    group.push(m);
    bytes += m.bytes;
  }
  if (group.length > 0) sends.push(sendWithRetry(queue, group));
  await Promise.all(sends);
}

/**
 * How long a request's records wait, after its response, for those of the isolate's other requests: one send
 * then carries them all (decision 030). Each `sendBatch` cost about 0.8 ms of CPU locally, and each message is
 * a billed queue operation.
 */
export const COALESCE_MS = 20;
/** Records a request may bring before its own send starts at once (a big `callBatch` has nothing to wait for). */
export const SEND_AT_ONCE_ENTRIES = 500;

/**
 * Gathers entries from the requests of one isolate and sends them together. Each request that brings entries
 * waits `COALESCE_MS` in its own `waitUntil`, then sends whatever is waiting (its own entries and the others'),
 * unless an earlier request's send already took them. No request awaits another's promise: every send runs in
 * the context of a request that is still alive for it.
 */
export function coalescingSender(send: (entries: AuditEntry[]) => Promise<void>, delayMs = COALESCE_MS) {
  let waiting: AuditEntry[] = [];
  const flush = async (delay: number) => {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (waiting.length === 0) return; // taken by another request's send
    const entries = waiting;
    waiting = [];
    await send(entries);
  };
  return (entries: readonly AuditEntry[], waitUntil: (p: Promise<unknown>) => void): void => {
    for (const entry of entries) waiting.push(entry);
    waitUntil(flush(waiting.length >= SEND_AT_ONCE_ENTRIES ? 0 : delayMs));
  };
}

const sinks = new WeakMap<Queue, AuditSink>();

/** The sink of this Worker: the hook always, the queue when the binding is configured. */
export function auditSinkFor(env: Env): AuditSink {
  const queue = env.AUDIT_QUEUE;
  if (!queue) return hookSink;
  let sink = sinks.get(queue);
  if (!sink) {
    const enqueue = coalescingSender((entries) =>
      sendAuditEntries(queue, entries).catch((e) => {
        // The response is gone: all that is left is to say so where the operator looks (see decision 018).
        console.error(`audit: ${entries.length} record(s) of ${entries[0].username} and others not queued:`, e instanceof Error ? e.message : String(e));
      }),
    );
    sink = {
      record: (records, waitUntil) => {
        hookSink.record(records, waitUntil);
        const entries = storedEntries(records);
        if (entries.length > 0) enqueue(entries, waitUntil);
      },
    };
    sinks.set(queue, sink);
  }
  return sink;
}
