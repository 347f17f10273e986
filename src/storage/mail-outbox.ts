import type { Db } from './db';
import { mailOutbox } from './schema';

export function insertOutboxMail(db: Db, mail: { recipient: string; subject: string; body: string; created: number }) {
  return db.insert(mailOutbox).values(mail);
}

