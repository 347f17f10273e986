/**
 * Where each account lives, and what is global across accounts: username and e-mail uniqueness, share codes.
 * Methods reach an account's data only through `dbFor(env, username)`, and cross-account lookups only through
 * this interface, so spreading accounts over several D1 databases changes this file, not the methods.
 * Today every account lives in the one `DB` binding: same queries, same round trips as before.
 */
import type { Env } from '../env';
import { getDb, type Db } from './db';
import type { AccessRow, UserRow } from './schema';
import { openSession, type AccountSession, type SessionStart } from './sessions';
import { findShareLink } from './share-links';
import { findConflicts, findUserByUsername, findUsernameByEmail, updateAccountRow } from './users';

export interface Directory {
  /** The database holding this account (existing or about to be registered). */
  dbFor(username: string): Db;
  /** A D1 session on the database holding this account (read replication: src/storage/sessions.ts). */
  sessionFor(username: string, start: SessionStart): AccountSession;
  /** The database of cross-account state: the abuse-limit counters (per client IP, per account) and the local mail outbox. */
  globalDb(): Db;
  /** Every database, for work over all accounts (the audit cron, the blob sweeper). */
  databases(): Db[];
  /** Which of username and e-mail are taken, across all databases. */
  conflicts(username: string, email: string): Promise<{ username: boolean; email: boolean }>;
  /** The account of a username, or null. */
  findUser(username: string): Promise<UserRow | null>;
  /** The account and live access of a share code's hash, or null. */
  findShareLink(codeHash: string): Promise<{ user: UserRow; access: AccessRow } | null>;
  /** The username of an e-mail address, or null (the register's e-mail lookups). */
  findUsernameByEmail(email: string): Promise<string | null>;
  /**
   * The statement changing an account's e-mail and language, for the method's guarded batch in the account's
   * database. With one database the `users_email` unique index decides clashes (a violation is the 409);
   * several databases would need a global e-mail index written here first.
   */
  updateAccount(db: Db, userId: string, values: { email?: string; language?: string }): ReturnType<typeof updateAccountRow>;
}

/** The single-database directory: one D1 binding holds every account and the global indexes. */
function singleDatabase(env: Env): Directory {
  const db = getDb(env.DB);
  return {
    dbFor: () => db,
    sessionFor: (_username, start) => openSession(env.DB, start),
    globalDb: () => db,
    databases: () => [db],
    conflicts: (username, email) => findConflicts(db, username, email),
    findUser: (username) => findUserByUsername(db, username),
    findShareLink: (codeHash) => findShareLink(db, codeHash),
    findUsernameByEmail: (email) => findUsernameByEmail(db, email),
    updateAccount: (accountDb, userId, values) => updateAccountRow(accountDb, userId, values),
  };
}

const directories = new WeakMap<Env['DB'], Directory>();

/** The directory of this deployment (one per D1 binding, reused across requests of an isolate). */
export function directoryOf(env: Env): Directory {
  let directory = directories.get(env.DB);
  if (!directory) {
    directory = singleDatabase(env);
    directories.set(env.DB, directory);
  }
  return directory;
}

export const dbFor = (env: Env, username: string): Db => directoryOf(env).dbFor(username);

export const sessionFor = (env: Env, username: string, start: SessionStart): AccountSession => directoryOf(env).sessionFor(username, start);
