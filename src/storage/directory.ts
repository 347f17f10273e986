/**
 * Where each account lives, and what is global across accounts: username and e-mail uniqueness, share codes.
 * Methods reach an account's data only through `dbFor(env, username)`, and cross-account lookups only through
 * this interface, so spreading accounts over several D1 databases changes this file, not the methods.
 * Today every account lives in the one `DB` binding: same queries, same round trips as before.
 */
import type { Env } from '../env';
import { getDb, type Db } from './db';
import type { AccessRow, UserRow } from './schema';
import { findShareLink } from './share-links';
import { findConflicts, findUserByUsername } from './users';

export interface Directory {
  /** The database holding this account (existing or about to be registered). */
  dbFor(username: string): Db;
  /** Which of username and e-mail are taken, across all databases. */
  conflicts(username: string, email: string): Promise<{ username: boolean; email: boolean }>;
  /** The account of a username, or null. */
  findUser(username: string): Promise<UserRow | null>;
  /** The account and live access of a share code's hash, or null. */
  findShareLink(codeHash: string): Promise<{ user: UserRow; access: AccessRow } | null>;
  /** Every database, for maintenance that spans accounts (the blob sweeper). */
  databases(): Db[];
}

/** The single-database directory: one D1 binding holds every account and the global indexes. */
function singleDatabase(env: Env): Directory {
  const db = getDb(env.DB);
  return {
    dbFor: () => db,
    conflicts: (username, email) => findConflicts(db, username, email),
    findUser: (username) => findUserByUsername(db, username),
    findShareLink: (codeHash) => findShareLink(db, codeHash),
    databases: () => [db],
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
