// Reading the local mail outbox (the D1 table `mail_outbox`, MAIL_OUTBOX=on) of a `wrangler dev` state folder, as
// a person would open the mail (Node code, typed by local-outbox.d.mts: the TypeScript project has no Node typings).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

function sqliteFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sqliteFiles(full);
    return name.endsWith('.sqlite') ? [full] : [];
  });
}

/** The body of the newest mail to `recipient` in any local D1 database of the state folder, or null. */
export function latestMail(stateDir, recipient) {
  for (const file of sqliteFiles(stateDir)) {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'mail_outbox'").get();
      if (!table) continue;
      const row = db.prepare('SELECT body FROM mail_outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1').get(recipient);
      if (row) return row.body;
    } finally {
      db.close();
    }
  }
  return null;
}
