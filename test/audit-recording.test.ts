import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { appendAuditEntries } from '../src/audit/append';
import { MAX_QUERY_BYTES } from '../src/calls/audit-sink';
import { rowHash } from '../src/audit/chain';
import { getDb } from '../src/storage/db';
import { GENESIS_HASH } from '../src/storage/audit';
import { auditEntry, auditRows, deliver, waitForAuditRows } from './audit-fixtures';
import { userRow } from './db-fixtures';
import { call, newUser } from './helpers';
import { accountD1ById } from './db-fixtures';

/** Each row points at the hash of the one before it, from the genesis hash, with no gap in seq. */
async function expectIntactChain(userId: string, expectedCount: number) {
  const rows = await auditRows(userId);
  expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: expectedCount }, (_, i) => i + 1));
  let prev = GENESIS_HASH;
  for (const row of rows) {
    expect(row.prevHash).toBe(prev);
    prev = await rowHash(row);
  }
  const head = await (await accountD1ById(userId)).prepare('SELECT seq, hash FROM audit_heads WHERE user_id = ?').bind(userId).first();
  expect(head).toEqual({ seq: expectedCount, hash: prev });
}

describe('audit recording: request → queue → consumer → D1 chain', () => {
  it('stores each call made under a resolved access, batch calls one by one, with outcome and query', async () => {
    const { username, token } = await newUser('arec');
    const info = await call('GET', `/${username}/access-info`, { token });
    await call('GET', `/${username}/events?limit=2`, { token });
    await call('POST', `/${username}/`, {
      token,
      body: [
        { method: 'streams.get', params: {} },
        { method: 'events.create', params: { streamIds: ['nowhere'], type: 'note/txt', content: 'x' } },
      ],
    });
    const rows = await waitForAuditRows(username, 4);
    expect(rows.map((r) => [r.methodId, r.accessId, r.errorId])).toEqual([
      ['getAccessInfo', info.body.id, null],
      ['events.get', info.body.id, null],
      ['streams.get', info.body.id, null],
      ['events.create', info.body.id, 'unknown-referenced-resource'],
    ]);
    expect(JSON.parse(rows[1].query)).toEqual({ limit: '2' });
    await expectIntactChain(rows[0].userId, 4);
  });

  it('stores a call whose query is too large for a queue message with its size instead of its query', async () => {
    const { username, token } = await newUser('arec');
    const STREAM_IDS = 10_000;
    const streams = JSON.stringify(Array.from({ length: STREAM_IDS }, (_, i) => `s${i}`));
    await call('GET', `/${username}/events?streams=${encodeURIComponent(streams)}`, { token });
    const [row] = await waitForAuditRows(username, 1);
    expect(row.methodId).toBe('events.get');
    expect(JSON.parse(row.query)).toEqual({ _truncated: true, bytes: expect.any(Number) });
    expect(JSON.parse(row.query).bytes).toBeGreaterThan(MAX_QUERY_BYTES);
  });

  it('stores nothing for a call without a resolved access (unknown token)', async () => {
    const { username, token } = await newUser('arec');
    await call('GET', `/${username}/events`, { token: 'not-a-token' });
    await call('GET', `/${username}/events`, { token });
    const rows = await waitForAuditRows(username, 1);
    // The queue delivers the second request's record; the first was never queued.
    expect(rows.map((r) => r.methodId)).toEqual(['events.get']);
    expect(rows[0].errorId).toBeNull();
  });
});

/** Registered accounts for the consumer's records: it appends them on the account's own shard (decision 028). */
const names = new Map<string, string>();
async function account(): Promise<string> {
  const { username } = await newUser('acons');
  const { id } = await userRow(username);
  names.set(id, username);
  return id;
}
const entry = (userId: string, values: Parameters<typeof auditEntry>[1] = {}) => auditEntry(userId, { username: names.get(userId), ...values });

describe('audit consumer: failures, re-deliveries and concurrent appends', () => {
  it('acknowledges a stored message; a re-delivered message is not stored twice', async () => {
    const userId = await account();
    const body = { records: [entry(userId), entry(userId, { methodId: 'streams.get' })] };
    const first = await deliver([body], ['m1']);
    expect(first.explicitAcks).toEqual(['m1']);
    const again = await deliver([body], ['m1']);
    expect(again.explicitAcks).toEqual(['m1']);
    await expectIntactChain(userId, 2);
  });

  it('retries a message whose D1 append fails, and stores it once D1 takes it: nothing lost', async () => {
    const userId = await account();
    const body = { records: [entry(userId), entry(userId)] };
    // A real D1 failure for this account only: a trigger refuses its inserts.
    const trigger = `audit_refuse_${userId}`;
    await (await accountD1ById(userId)).prepare(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON audit_records WHEN NEW.user_id = '${userId}' BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    ).run();
    const other = await account();
    const failed = await deliver([body, { records: [entry(other)] }], ['fail', 'fine']);
    expect(failed.retryMessages.map((m) => m.msgId)).toEqual(['fail']);
    expect(failed.explicitAcks).toEqual(['fine']);
    expect(await auditRows(userId)).toEqual([]);
    await (await accountD1ById(userId)).prepare(`DROP TRIGGER ${trigger}`).run();
    const retried = await deliver([body], ['fail']);
    expect(retried.explicitAcks).toEqual(['fail']);
    await expectIntactChain(userId, 2);
    await expectIntactChain(other, 1);
  });

  it('sends a malformed message towards the dead-letter queue (retry) and stores the rest of the batch', async () => {
    const userId = await account();
    const result = await deliver([{ records: [{ id: 'x' }] }, { nonsense: true }, { records: [entry(userId)] }], ['bad1', 'bad2', 'good']);
    expect(result.retryMessages.map((m) => m.msgId).sort()).toEqual(['bad1', 'bad2']);
    expect(result.explicitAcks).toEqual(['good']);
    await expectIntactChain(userId, 1);
  });

  it('never forks an account chain under concurrent appends: every record stored once, seq without gaps', async () => {
    const userId = await account();
    const db = getDb(await accountD1ById(userId));
    const APPENDERS = 8;
    const PER_APPEND = 5;
    const lists = Array.from({ length: APPENDERS }, () => Array.from({ length: PER_APPEND }, () => entry(userId)));
    const stored = await Promise.all(lists.map((list) => appendAuditEntries(db, userId, list)));
    expect(stored).toEqual(Array(APPENDERS).fill(PER_APPEND));
    await expectIntactChain(userId, APPENDERS * PER_APPEND);
    // The same records delivered to two consumers at once are stored once.
    const twice = await Promise.all([appendAuditEntries(db, userId, lists[0]), deliver([{ records: lists[1] }])]);
    expect(twice[0]).toBe(0);
    await expectIntactChain(userId, APPENDERS * PER_APPEND);
  });

  it('stores a callBatch of 1,000 calls split into several queue messages, all in one chain', async () => {
    const { username, token } = await newUser('arec');
    const CALLS = 1000;
    const res = await call('POST', `/${username}/`, { token, body: Array.from({ length: CALLS }, () => ({ method: 'getAccessInfo', params: {} })) });
    expect(res.status).toBe(200);
    const rows = await waitForAuditRows(username, CALLS);
    const { id } = await userRow(username);
    await expectIntactChain(id, CALLS);
    expect(rows.every((r) => r.methodId === 'getAccessInfo')).toBe(true);
  });
});
