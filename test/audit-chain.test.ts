import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { appendAuditEntries } from '../src/audit/append';
import { listCheckpoints } from '../src/audit/checkpoint-store';
import { rowHash } from '../src/audit/chain';
import { runAuditCron } from '../src/audit/cron';
import { readConfig } from '../src/config';
import { getDb } from '../src/storage/db';
import { auditEntry, auditRows, waitForAuditRows } from './audit-fixtures';
import { insertAccessRow, userRow } from './db-fixtures';
import { call, newUser } from './helpers';
import { accountD1ById } from './db-fixtures';
import { shardsOf } from '../src/storage/directory';

const DAY = 86_400;
const now = () => Date.now() / 1000;

/** A fresh account with `count` records appended straight to its chain (as the consumer does). */
async function accountWithChain(count: number, time = now()) {
  const user = await newUser('achain');
  const { id: userId } = await userRow(user.username);
  const entries = Array.from({ length: count }, (_, i) => auditEntry(userId, { time: time + i / 1000 }));
  await appendAuditEntries(getDb(await accountD1ById(userId)), userId, entries);
  return { ...user, userId, entries };
}

async function verify(username: string, token: string) {
  const res = await call('GET', `/${username}/audit/verify`, { token });
  expect(res.status).toBe(200);
  return res.body.verification;
}

const sql = async (query: string, ...params: unknown[]) => Promise.all(shardsOf(env).map((s) => s.d1.prepare(query).bind(...params).run()));

/** Runs the Worker's scheduled handler as the Cron Trigger would, at `at` (float seconds). */
async function runCron(at = now()) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at * 1000, cron: '0 * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe('audit chain verification (GET U/audit/verify)', () => {
  it('reports an intact chain written through the real queue as ok', async () => {
    const { username, token } = await newUser('achain');
    await call('GET', `/${username}/events`, { token });
    await call('GET', `/${username}/streams`, { token });
    await waitForAuditRows(username, 2);
    const report = await verify(username, token);
    expect(report).toMatchObject({ ok: true, anchor: { seq: 0 }, signaturesChecked: true });
    expect(report.records).toBeGreaterThanOrEqual(2);
    expect(report.head.seq).toBe(report.records);
  });

  it('names the row that was edited directly in D1', async () => {
    const { username, token, userId, entries } = await accountWithChain(5);
    await sql(`UPDATE audit_records SET query = '{"limit":"1000"}' WHERE user_id = ? AND seq = 3`, userId);
    expect(await verify(username, token)).toMatchObject({ ok: false, problem: { kind: 'hash-mismatch', seq: 3, recordId: entries[2].id } });
  });

  it('names the last row when it is the one edited (checked against the head)', async () => {
    const { username, token, userId, entries } = await accountWithChain(3);
    await sql(`UPDATE audit_records SET error_id = NULL, method_id = 'events.delete' WHERE user_id = ? AND seq = 3`, userId);
    const report = await verify(username, token);
    expect(report).toMatchObject({ ok: false, problem: { kind: 'hash-mismatch', seq: 3, recordId: entries[2].id } });
  });

  it('names the gap a deleted row leaves, in the middle and at the end', async () => {
    const { username, token, userId } = await accountWithChain(6);
    await sql('DELETE FROM audit_records WHERE user_id = ? AND seq = 4', userId);
    expect(await verify(username, token)).toMatchObject({ ok: false, problem: { kind: 'gap', seq: 4, missing: { from: 4, to: 4 } } });
    const other = await accountWithChain(4);
    await sql('DELETE FROM audit_records WHERE user_id = ? AND seq >= 3', other.userId);
    expect(await verify(other.username, other.token)).toMatchObject({ ok: false, problem: { kind: 'gap', seq: 3, missing: { from: 3, to: 4 } } });
  });

  it('still checks the chain without a usable signing key, and says the signatures were not checked', async () => {
    const { username, token, userId } = await accountWithChain(2);
    for (const AUDIT_SIGNING_KEY of [undefined, 'not-a-key']) {
      const outcome = await runAuditCron({ ...env, AUDIT_SIGNING_KEY }, readConfig(env), now());
      expect(outcome).toEqual({ checkpoints: 0, anchorsMoved: 0, deleteSteps: 0 });
      const res = await call('GET', `/${username}/audit/verify`, { token, vars: { AUDIT_SIGNING_KEY } });
      expect([res.status, res.body.verification]).toEqual([200, expect.objectContaining({ ok: true, signaturesChecked: false })]);
    }
    await sql('DELETE FROM audit_records WHERE user_id = ? AND seq = 1', userId);
    const broken = await call('GET', `/${username}/audit/verify`, { token, vars: { AUDIT_SIGNING_KEY: 'not-a-key' } });
    expect(broken.body.verification).toMatchObject({ ok: false, signaturesChecked: false, problem: { kind: 'gap', seq: 1 } });
  });

  it('is refused to app and shared accesses (403)', async () => {
    const { username } = await newUser('achain');
    for (const type of ['app', 'shared'] as const) {
      const { token } = await insertAccessRow(username, { type });
      const res = await call('GET', `/${username}/audit/verify`, { token });
      expect(res.status).toBe(403);
      expect(res.body.error.id).toBe('forbidden');
    }
  });
});

describe('audit checkpoints and retention (the Cron Trigger)', () => {
  it('signs a checkpoint of each moved head; a chain rewritten consistently is caught by it', async () => {
    const { username, token, userId } = await accountWithChain(4);
    await runCron();
    const checkpoint = await (await accountD1ById(userId)).prepare('SELECT seq, hash FROM audit_checkpoints WHERE user_id = ?').bind(userId).first<{ seq: number; hash: string }>();
    const rows = await auditRows(userId);
    expect(checkpoint).toEqual({ seq: 4, hash: await rowHash(rows[3]) });
    // Someone with D1 write access but not the key edits row 2 and re-hashes everything after it, head included.
    rows[1] = { ...rows[1], methodId: 'events.delete' };
    for (let i = 2; i < rows.length; i++) rows[i] = { ...rows[i], prevHash: await rowHash(rows[i - 1]) };
    await sql('UPDATE audit_records SET method_id = ? WHERE user_id = ? AND seq = 2', 'events.delete', userId);
    for (const r of rows.slice(2)) await sql('UPDATE audit_records SET prev_hash = ? WHERE user_id = ? AND seq = ?', r.prevHash, userId, r.seq);
    await sql('UPDATE audit_heads SET hash = ? WHERE user_id = ?', await rowHash(rows[3]), userId);
    // …and deletes the D1 copy of the checkpoints: the copy kept apart (R2) still holds the old hash.
    await sql('DELETE FROM audit_checkpoints WHERE user_id = ?', userId);
    expect(await verify(username, token)).toMatchObject({ ok: false, problem: { kind: 'checkpoint-mismatch', seq: 4 } });
  });

  it('refuses a checkpoint whose signature is not the operator key', async () => {
    const { username, token, userId } = await accountWithChain(2);
    await runCron();
    // The kept-apart copy is altered: its signing time moved by a second.
    const [object] = (await env.ATTACHMENTS.list({ prefix: `audit/checkpoints/${userId}/`, include: ['customMetadata'] })).objects;
    const metadata = { ...object.customMetadata, signed: String(Number(object.customMetadata!.signed) + 1) };
    await env.ATTACHMENTS.put(object.key, 'altered', { customMetadata: metadata });
    expect(await verify(username, token)).toMatchObject({ ok: false, problem: { kind: 'checkpoint-signature', seq: 2 } });
  });

  it('cuts records older than the retention at the checkpoint before the cut, which becomes the anchor: verification still passes', async () => {
    const RETENTION_DAYS = 365;
    const { username, token, userId } = await accountWithChain(3, now() - (RETENTION_DAYS + 10) * DAY);
    await runCron();
    // All three were older than the cut: the checkpoint of seq 3 is the anchor and the rows are gone.
    expect(await auditRows(userId)).toEqual([]);
    const db = getDb(await accountD1ById(userId));
    await appendAuditEntries(db, userId, [auditEntry(userId), auditEntry(userId)]);
    await runCron();
    const report = await verify(username, token);
    expect(report).toMatchObject({ ok: true, anchor: { seq: 3 }, records: 2, head: { seq: 5 } });
    expect((await auditRows(userId)).map((r) => r.seq)).toEqual([4, 5]);
  });

  it('keeps records within retention: the cut stops at the last checkpoint before the first recent record', async () => {
    const { userId } = await accountWithChain(1, now() - 40 * DAY);
    const db = getDb(await accountD1ById(userId));
    await runAuditCron(env, readConfig(env), now());
    await appendAuditEntries(db, userId, [auditEntry(userId, { time: now() - 40 * DAY + 1 })]);
    await runAuditCron(env, readConfig(env), now());
    await appendAuditEntries(db, userId, [auditEntry(userId, { time: now() - 20 * DAY })]);
    await appendAuditEntries(db, userId, [auditEntry(userId)]);
    // A 30-day retention: seqs 1–2 (40 days old) go, 3 (20 days) and 4 stay, whatever was checkpointed later.
    const config = readConfig({ ...env, AUDIT_RETENTION_DAYS: '30' });
    await runAuditCron(env, config, now());
    expect((await auditRows(userId)).map((r) => r.seq)).toEqual([3, 4]);
    const head = await (await accountD1ById(userId)).prepare('SELECT anchor_seq AS anchorSeq FROM audit_heads WHERE user_id = ?').bind(userId).first();
    expect(head).toEqual({ anchorSeq: 2 });
    // Checkpoints before the anchor go too, in D1 and in the copy kept apart; the anchor's own stays.
    const d1 = await (await accountD1ById(userId)).prepare('SELECT seq FROM audit_checkpoints WHERE user_id = ? ORDER BY seq').bind(userId).all();
    expect(d1.results).toEqual([{ seq: 2 }, { seq: 4 }]);
    expect((await listCheckpoints(env.ATTACHMENTS, userId)).map((c) => c.seq)).toEqual([2, 4]);
  });

  it('refuses an anchor that no signed checkpoint vouches for (a prefix deleted by hand)', async () => {
    const { username, token, userId } = await accountWithChain(4);
    const rows = await auditRows(userId);
    await sql('DELETE FROM audit_records WHERE user_id = ? AND seq <= 2', userId);
    await sql('UPDATE audit_heads SET anchor_seq = 2, anchor_hash = ? WHERE user_id = ?', await rowHash(rows[1]), userId);
    expect(await verify(username, token)).toMatchObject({ ok: false, problem: { kind: 'anchor-unsigned', seq: 2 } });
  });
});
