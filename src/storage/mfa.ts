/** Two-factor sign-in rows: the enrolment, its recovery codes, and the pending steps (`mfaToken`s). */
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db } from './db';
import { runBatch } from './batch';
import { abortSql } from './d1-errors';
import { mfaEnrolments, mfaRecoveryCodes, mfaSessions, type MfaSessionRow } from './schema';

export async function findEnrolment(db: Db, userId: string) {
  const rows = await db.select().from(mfaEnrolments).where(eq(mfaEnrolments.userId, userId)).limit(1);
  return rows[0] ?? null;
}

export function insertMfaSession(db: Db, row: MfaSessionRow) {
  return db.insert(mfaSessions).values(row);
}

/** A live pending step of this account, or null (unknown, expired, or another account's token). */
export async function findMfaSession(db: Db, tokenHash: string, userId: string, now: number) {
  const rows = await db
    .select()
    .from(mfaSessions)
    .where(and(eq(mfaSessions.tokenHash, tokenHash), eq(mfaSessions.userId, userId), gt(mfaSessions.expires, now)))
    .limit(1);
  return rows[0] ?? null;
}

/** Takes one code attempt of a pending step, atomically; false once its ceiling is reached (or it is gone). */
export async function takeSessionAttempt(db: Db, tokenHash: string, ceiling: number): Promise<boolean> {
  const rows = await db
    .update(mfaSessions)
    .set({ attempts: sql`${mfaSessions.attempts} + 1` })
    .where(and(eq(mfaSessions.tokenHash, tokenHash), lt(mfaSessions.attempts, ceiling)))
    .returning({ attempts: mfaSessions.attempts });
  return rows.length > 0;
}

export function deleteMfaSession(db: Db, tokenHash: string) {
  return db.delete(mfaSessions).where(eq(mfaSessions.tokenHash, tokenHash));
}

/** Aborts the batch ('row-changed') unless the pending step still exists: two confirmations of one token cannot both land. */
function sessionGuard(db: Db, tokenHash: string) {
  return db.all(sql`SELECT CASE WHEN EXISTS (SELECT 1 FROM mfa_sessions WHERE token_hash = ${tokenHash})
    THEN 1 ELSE ${abortSql('row-changed')} END AS ok`);
}

/** Statements ending an account's two-factor sign-in: enrolment, recovery codes, pending steps. */
function clearAll(db: Db, userId: string) {
  return [
    db.delete(mfaEnrolments).where(eq(mfaEnrolments.userId, userId)),
    db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId)),
    db.delete(mfaSessions).where(eq(mfaSessions.userId, userId)),
  ] as const;
}

/** Confirms a pending enrolment in one atomic batch: the new secret, step and recovery codes replace any earlier ones. */
export async function confirmEnrolment(
  db: Db,
  sessionHash: string,
  enrolment: { userId: string; secretSealed: string; lastUsedStep: number; created: number },
  codeHashes: string[],
): Promise<void> {
  await runBatch(db, [
    sessionGuard(db, sessionHash),
    ...clearAll(db, enrolment.userId),
    db.insert(mfaEnrolments).values(enrolment),
    db.insert(mfaRecoveryCodes).values(codeHashes.map((codeHash) => ({ userId: enrolment.userId, codeHash }))),
  ]);
}

/**
 * Moves the enrolment's last used step forward to `step`, only if it is still the enrolment the code was checked
 * against and the step is newer: of two uses of one code, exactly one succeeds.
 */
export async function consumeStep(db: Db, userId: string, secretSealed: string, step: number): Promise<boolean> {
  const rows = await db
    .update(mfaEnrolments)
    .set({ lastUsedStep: step })
    .where(and(eq(mfaEnrolments.userId, userId), eq(mfaEnrolments.secretSealed, secretSealed), lt(mfaEnrolments.lastUsedStep, step)))
    .returning({ userId: mfaEnrolments.userId });
  return rows.length > 0;
}

/** Ends two-factor sign-in for the account. */
export async function deleteEnrolment(db: Db, userId: string): Promise<void> {
  await runBatch(db, [...clearAll(db, userId)]);
}

/** Spends one recovery code and ends two-factor sign-in, atomically; aborts ('row-changed') when the code is not (or no longer) valid. */
export async function recoverWithCode(db: Db, userId: string, codeHash: string): Promise<void> {
  await runBatch(db, [
    db.all(sql`SELECT CASE WHEN EXISTS (SELECT 1 FROM mfa_recovery_codes WHERE user_id = ${userId} AND code_hash = ${codeHash})
      THEN 1 ELSE ${abortSql('row-changed')} END AS ok`),
    ...clearAll(db, userId),
  ]);
}
