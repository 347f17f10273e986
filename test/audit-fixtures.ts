import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import worker from '../src/index';
import type { AuditEntry, AuditMessage } from '../src/core/audit';
import { newId } from '../src/lib/ids';
import type { AuditRecordRow } from '../src/storage/schema';
import { userRow } from './db-fixtures';
import { accountD1ById } from './db-fixtures';

/** The account's stored audit rows, in chain order. */
export async function auditRows(userId: string): Promise<AuditRecordRow[]> {
  const { results } = await (await accountD1ById(userId)).prepare(
    `SELECT user_id AS userId, seq, id, time, access_id AS accessId, method_id AS methodId, source_name AS sourceName,
       source_ip AS sourceIp, query, error_id AS errorId, error_message AS errorMessage, prev_hash AS prevHash
     FROM audit_records WHERE user_id = ? ORDER BY seq`,
  ).bind(userId).all<AuditRecordRow>();
  return results;
}

/** How long the real queue may take to deliver (its batch timeout is 2 s; a loaded CI machine is slower). */
const DELIVERY_TIMEOUT_MS = 20_000;
const POLL_MS = 100;

/** Waits until the queue's consumer has stored at least `count` rows for the account; returns them. */
export async function waitForAuditRows(username: string, count: number): Promise<AuditRecordRow[]> {
  const { id } = await userRow(username);
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  for (;;) {
    const rows = await auditRows(id);
    if (rows.length >= count) return rows;
    if (Date.now() > deadline) throw new Error(`expected ${count} audit rows for ${username}, found ${rows.length}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** An entry as the sink would queue it, for a made-up call on `userId`. */
export function auditEntry(userId: string, values: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: newId(),
    userId,
    username: 'someone',
    accessId: 'access-a',
    methodId: 'events.get',
    time: Date.now() / 1000,
    source: { name: 'http', ip: '203.0.113.7' },
    query: { limit: '3' },
    ...values,
  };
}

let messageCounter = 0;

/** Runs the Worker's queue handler on messages as the queue would deliver them; returns the ack/retry state. */
export async function deliver(bodies: unknown[], ids?: string[]) {
  const batch = createMessageBatch<unknown>(
    'pryv-edge-audit',
    bodies.map((body, i) => ({ id: ids?.[i] ?? `msg-${++messageCounter}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<AuditMessage>, env, ctx);
  return getQueueResult(batch, ctx);
}
