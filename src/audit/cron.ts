/**
 * The audit cron (the Worker's `scheduled()` handler): signs a checkpoint of every chain head that moved since
 * its last one, then enforces retention: each account's anchor moves to the newest signed checkpoint older
 * than the cut, and the rows up to it are deleted in bounded batches, so one run stays short and a large cut
 * spreads over several runs. See docs/decisions/018-audit-storage.md.
 */
import type { Config } from '../config';
import type { Env } from '../env';
import { runBatch } from '../storage/batch';
import type { Db } from '../storage/db';
import { databases } from '../storage/directory';
import {
  deleteBeforeAnchor, insertAuditCheckpoint, moveAuditAnchor, selectHeadsToCheckpoint, selectPendingCuts, selectRetentionCuts,
} from '../storage/audit';
import { deleteCheckpointsBefore, putCheckpoint } from './checkpoint-store';
import { checkpointSignedBy, signCheckpoint, signingKey, type SigningKey } from './signing';

/** Heads signed per database and run; the rest wait for the next run. */
export const CHECKPOINTS_PER_RUN = 500;
/** Accounts whose anchor may move per database and run. */
export const CUTS_PER_RUN = 100;
/** Rows deleted per statement, and statements per run: bounds one run's work on a large cut. */
export const DELETE_CHUNK = 1000;
export const DELETE_STEPS_PER_RUN = 50;
const DAY = 86_400;

export interface CronOutcome {
  checkpoints: number;
  anchorsMoved: number;
  deleteSteps: number;
}

async function signHeads(db: Db, bucket: R2Bucket, key: SigningKey, now: number): Promise<number> {
  const heads = await selectHeadsToCheckpoint(db, CHECKPOINTS_PER_RUN);
  if (heads.length === 0) return 0;
  const rows = await Promise.all(heads.map(async (h) => {
    const checkpoint = { userId: h.userId, seq: h.seq, hash: h.hash, signed: now };
    return { ...checkpoint, keyId: key.keyId, signature: await signCheckpoint(key, checkpoint) };
  }));
  // R2 first: a checkpoint in D1 (which the cut and the next run read) always has its copy apart.
  await Promise.all(rows.map((row) => putCheckpoint(bucket, row)));
  await runBatch(db, rows.map((row) => insertAuditCheckpoint(db, row)));
  return rows.length;
}

async function moveAnchors(db: Db, bucket: R2Bucket, key: SigningKey, cutoff: number): Promise<number> {
  const cuts = await selectRetentionCuts(db, cutoff, CUTS_PER_RUN);
  // Only a checkpoint this key signed may become an anchor: verification would refuse any other.
  const valid = [];
  for (const c of cuts) if (await checkpointSignedBy(key, c)) valid.push(c);
  if (valid.length === 0) return 0;
  await runBatch(db, valid.map((c) => moveAuditAnchor(db, c.userId, c.seq, c.hash)));
  await Promise.all(valid.map((c) => deleteCheckpointsBefore(bucket, c.userId, c.seq)));
  return valid.length;
}

async function deleteCutRows(db: Db): Promise<number> {
  let steps = 0;
  while (steps < DELETE_STEPS_PER_RUN) {
    const pending = await selectPendingCuts(db, DELETE_STEPS_PER_RUN - steps);
    if (pending.length === 0) break;
    await runBatch(db, pending.flatMap((p) => deleteBeforeAnchor(db, p.userId, DELETE_CHUNK)));
    steps += pending.length;
  }
  return steps;
}

/** One run over every database. Without a signing key nothing is signed and nothing is cut. */
export async function runAuditCron(env: Env, config: Config, now: number): Promise<CronOutcome> {
  const outcome: CronOutcome = { checkpoints: 0, anchorsMoved: 0, deleteSteps: 0 };
  const key = await signingKey(env.AUDIT_SIGNING_KEY);
  if (!key) {
    console.error('audit: no usable AUDIT_SIGNING_KEY: no checkpoint signed, retention not enforced');
    return outcome;
  }
  const cutoff = now - config.auditRetentionDays * DAY;
  for (const db of databases(env)) {
    outcome.checkpoints += await signHeads(db, env.ATTACHMENTS, key, now);
    outcome.anchorsMoved += await moveAnchors(db, env.ATTACHMENTS, key, cutoff);
    outcome.deleteSteps += await deleteCutRows(db);
  }
  return outcome;
}
