// What `account:export` and `account:import` share: the file format's constants, the local state they open, and
// the account's tables. See docs/decisions/027-account-export-import.md.
import path from 'node:path';
import { getPlatformProxy } from 'wrangler';
import { ROOT } from './dev-server.mjs';

export const FORMAT = 'pryv-edge-account';
export const VERSION = 1;
/** Bytes of an R2 object per chunk line (base64 makes the line about 4/3 of this): bounds memory per line. */
export const BLOB_CHUNK_BYTES = 256 * 1024;
/** Rows read per query on export. */
export const EXPORT_PAGE_ROWS = 500;
/** D1 allows at most 100 bound parameters per statement. */
export const MAX_BOUND_PARAMS = 100;
/** Statements per D1 batch on import (one batch is one atomic round trip). */
export const IMPORT_BATCH_STATEMENTS = 50;
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

/** The newest applied migration: export and import must run on the same schema. */
export async function schemaVersion(db) {
  const row = await db.prepare('SELECT name FROM d1_migrations ORDER BY id DESC LIMIT 1').first();
  return row?.name ?? null;
}

/**
 * Every table holding account data: those with a `user_id` column, found in the database itself so that a new
 * table is exported without a change here (`users` is apart: its key is `id`). Each with its column names.
 */
export async function accountTables(db) {
  const { results } = await db
    .prepare(
      `SELECT m.name AS tbl, json_group_array(p.name) AS cols FROM sqlite_master m JOIN pragma_table_info(m.name) p
       WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_cf_%'
       GROUP BY m.name HAVING sum(p.name = 'user_id') = 1 ORDER BY m.name`,
    )
    .all();
  return results.map((r) => ({ name: r.tbl, columns: JSON.parse(r.cols) }));
}

/** The columns of `users`. */
export async function userColumns(db) {
  const { results } = await db.prepare(`SELECT name FROM pragma_table_info('users')`).all();
  return results.map((r) => r.name);
}

/** SQLite identifier quoting. */
export const quote = (name) => `"${name.replaceAll('"', '""')}"`;

export class AccountFileError extends Error {}
