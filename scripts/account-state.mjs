// What `account:export` and `account:import` share: the file format's constants, the local state they open, and
// the account's tables. See docs/decisions/027-account-export-import.md.
import path from 'node:path';
import { getPlatformProxy } from 'wrangler';
import { ROOT } from './dev-server.mjs';

export { EXPORT_PAGE_ROWS, IMPORT_BATCH_STATEMENTS, MAX_BOUND_PARAMS, accountTables, quote, userColumns } from './account-tables.mjs';

export const FORMAT = 'pryv-edge-account';
export const VERSION = 1;
/** Bytes of an R2 object per chunk line (base64 makes the line about 4/3 of this): bounds memory per line. */
export const BLOB_CHUNK_BYTES = 256 * 1024;
/** `npm start`'s state folder. */
export const DEFAULT_STATE_DIR = path.join(ROOT, '.wrangler', 'state');

/** The R2 prefixes of an account: its attachments and the kept-apart copies of its audit checkpoints. */
export const blobPrefixes = (userId) => [`${userId}/`, `audit/checkpoints/${userId}/`];

/**
 * The bindings of wrangler.toml on the local state in `stateDir` (the folder `wrangler dev --persist-to` uses,
 * whose data lives under `v3/`), through wrangler's own `getPlatformProxy`: the same D1 and R2 `wrangler dev`
 * reads. The server must not run on that folder meanwhile.
 */
export async function openState(stateDir) {
  process.env.WRANGLER_SEND_METRICS = 'false';
  // The proxy warns on stderr that the Worker's own Durable Object class is not served: none is used here.
  process.env.WRANGLER_LOG ??= 'error';
  return getPlatformProxy({ configPath: path.join(ROOT, 'wrangler.toml'), persist: { path: path.join(stateDir, 'v3') } });
}

/**
 * The database holding `username` in that state: the shard the directory names (decision 028), or null. The
 * name of its binding (`DB_1`) comes with it.
 */
export async function shardOfUser(env, username) {
  const row = await env.DIRECTORY.prepare('SELECT shard FROM accounts WHERE username = ?').bind(username).first();
  return row && env[row.shard] ? { name: row.shard, db: env[row.shard] } : null;
}

/** The newest applied migration: export and import must run on the same schema. */
export async function schemaVersion(db) {
  const row = await db.prepare('SELECT name FROM d1_migrations ORDER BY id DESC LIMIT 1').first();
  return row?.name ?? null;
}

export class AccountFileError extends Error {}
