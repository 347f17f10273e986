import { desc, eq } from 'drizzle-orm';
import type { Db } from './db';
import { mailOutbox } from './schema';

export function insertOutboxMail(db: Db, mail: { recipient: string; subject: string; body: string; created: number }) {
  return db.insert(mailOutbox).values(mail);
}

/** The latest mails to one address, newest first (what a local run's tests read). */
export function mailsTo(db: Db, recipient: string) {
  return db.select().from(mailOutbox).where(eq(mailOutbox.recipient, recipient)).orderBy(desc(mailOutbox.id));
}
