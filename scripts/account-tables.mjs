// An account's rows in one shard, for export, import and move (docs/decisions/027 and 028). Plain D1 calls only
// (`prepare`, `batch`): the same code runs in Node on wrangler's local bindings and inside workerd in the tests.

/** Rows read per query on export. */
export const EXPORT_PAGE_ROWS = 500;
/** D1 allows at most 100 bound parameters per statement. */
export const MAX_BOUND_PARAMS = 100;
/** Statements per D1 batch on import (one batch is one atomic round trip). */
export const IMPORT_BATCH_STATEMENTS = 50;

/** SQLite identifier quoting. */
export const quote = (name) => `"${name.replaceAll('"', '""')}"`;

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

/** The rows of one account table, in keyset pages on rowid: each page is one bounded query. */
export async function* tableRows(db, table, userId) {
  let after = -1;
  for (;;) {
    const { results } = await db
      .prepare(`SELECT rowid AS _rowid, * FROM ${quote(table)} WHERE user_id = ? AND rowid > ? ORDER BY rowid LIMIT ?`)
      .bind(userId, after, EXPORT_PAGE_ROWS)
      .all();
    for (const { _rowid, ...row } of results) {
      after = _rowid;
      yield row;
    }
    if (results.length < EXPORT_PAGE_ROWS) return;
  }
}

/** Rows of one table gathered into multi-row INSERTs of at most MAX_BOUND_PARAMS parameters each. */
export class TableWriter {
  /** `onUnknown(message)` raises the caller's own error for a table or column this database does not have. */
  constructor(db, tables, onUnknown) {
    this.db = db;
    this.columns = new Map(tables.map((t) => [t.name, new Set(t.columns)]));
    this.onUnknown = onUnknown;
    this.pending = new Map();
    this.statements = [];
  }

  async add(table, row) {
    const known = this.columns.get(table);
    if (!known) this.onUnknown(`unknown table "${table}"`);
    const cols = Object.keys(row);
    for (const c of cols) if (!known.has(c)) this.onUnknown(`unknown column "${c}" of "${table}"`);
    const key = `${table}\n${cols.join('\n')}`;
    const group = this.pending.get(key) ?? { table, cols, rows: [] };
    this.pending.set(key, group);
    group.rows.push(cols.map((c) => row[c]));
    if ((group.rows.length + 1) * cols.length > MAX_BOUND_PARAMS) await this.close(key);
  }

  async close(key) {
    const { table, cols, rows } = this.pending.get(key);
    this.pending.delete(key);
    const tuple = `(${cols.map(() => '?').join(', ')})`;
    const sql = `INSERT INTO ${quote(table)} (${cols.map(quote).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
    this.statements.push(this.db.prepare(sql).bind(...rows.flat()));
    if (this.statements.length >= IMPORT_BATCH_STATEMENTS) await this.flush();
  }

  async flush() {
    for (const key of [...this.pending.keys()]) await this.close(key);
    if (this.statements.length > 0) await this.db.batch(this.statements.splice(0));
  }
}

/** Inserts a `users` row as it was read (last of an import: until it exists, the account does not). */
export async function insertUserRow(db, user) {
  const cols = Object.keys(user);
  await db
    .prepare(`INSERT INTO users (${cols.map(quote).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
    .bind(...cols.map((c) => user[c]))
    .run();
}

/**
 * Deletes every row of an account in one shard, atomically. The `users` row goes first: the storage-counter
 * triggers of `events` then have no row to update (a frozen one would refuse it).
 */
export async function deleteAccountRows(db, tables, userId) {
  await db.batch([
    db.prepare('DELETE FROM users WHERE id = ?').bind(userId),
    ...tables.map(({ name }) => db.prepare(`DELETE FROM ${quote(name)} WHERE user_id = ?`).bind(userId)),
  ]);
}

/** The shard bindings of `env` (`DB_0 … DB_n`), by number. */
export const shardNames = (env) =>
  Object.keys(env)
    .filter((k) => /^DB_\d+$/.test(k) && env[k])
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));

/**
 * Reserves an imported account in the directory (decision 028), on `to` or else the shard with the fewest
 * accounts: the directory's unique indexes refuse a username, e-mail or id already there. Returns the shard name;
 * `null` when the directory already has one of them.
 */
export async function reserveImported(env, user, to) {
  const d = env.DIRECTORY;
  let shard = to;
  if (!shard) {
    const { results } = await d.prepare('SELECT shard, accounts FROM shard_loads').all();
    const load = new Map(results.map((r) => [r.shard, r.accounts]));
    shard = shardNames(env).reduce((best, name) => ((load.get(name) ?? 0) < (load.get(best) ?? 0) ? name : best));
  }
  try {
    await d.batch([
      d.prepare(`INSERT INTO accounts (username, user_id, email, shard, state, created) VALUES (?, ?, ?, ?, 'pending', ?)`)
        .bind(user.username, user.id, user.email, shard, Date.now() / 1000),
      d.prepare('INSERT INTO shard_loads (shard, accounts) VALUES (?, 1) ON CONFLICT (shard) DO UPDATE SET accounts = accounts + 1').bind(shard),
    ]);
  } catch (e) {
    if (/UNIQUE constraint failed/.test(`${e.message} ${e.cause ?? ''}`)) return null;
    throw e;
  }
  return shard;
}

/** The imported account exists in its shard: the directory makes it visible. */
export async function confirmImported(env, user) {
  await env.DIRECTORY.prepare(`UPDATE accounts SET state = 'active' WHERE username = ? AND user_id = ?`).bind(user.username, user.id).run();
}

/** Undoes `reserveImported` after a failed import. */
export async function releaseImported(env, user, shard) {
  const d = env.DIRECTORY;
  await d.batch([
    d.prepare(`DELETE FROM accounts WHERE username = ? AND user_id = ? AND state = 'pending'`).bind(user.username, user.id),
    d.prepare('UPDATE shard_loads SET accounts = accounts - 1 WHERE shard = ?').bind(shard),
  ]);
}
