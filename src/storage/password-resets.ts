import { eq, sql } from 'drizzle-orm';
import type { Db } from './db';
import { abortSql } from './d1-errors';
import { passwordResets } from './schema';

export function insertPasswordReset(db: Db, row: { tokenHash: string; userId: string; expires: number }) {
  return db.insert(passwordResets).values(row);
}

/** Aborts the batch ('row-changed') unless this live reset token of this account exists: it is spent once, by the batch that deletes it. */
export function resetTokenGuard(db: Db, userId: string, tokenHash: string, now: number) {
  return db.all(sql`SELECT CASE WHEN EXISTS (SELECT 1 FROM password_resets WHERE token_hash = ${tokenHash} AND user_id = ${userId} AND expires > ${now})
    THEN 1 ELSE ${abortSql('row-changed')} END AS ok`);
}

/** Every reset token of the account: a reset spends them all. */
export function deletePasswordResets(db: Db, userId: string) {
  return db.delete(passwordResets).where(eq(passwordResets.userId, userId));
}
