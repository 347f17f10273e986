// Moving one account from one shard to another (docs/decisions/028-shards-and-directory.md): freeze, copy, verify,
// switch the directory entry, delete the source. Plain D1 and KV calls only, so the same steps run in Node on
// wrangler's local bindings (`npm run account:move`) and inside workerd in the tests, against a running Worker.
import { accountTables, deleteAccountRows, insertUserRow, tableRows, TableWriter } from './account-tables.mjs';

export class MoveError extends Error {}

/** KV key of a cached placement (src/storage/directory.ts). */
const placementKey = (username) => `dir:${username}`;

/**
 * Every row of the account in `db`, per table, as canonical JSON texts sorted: two copies hold the same data
 * exactly when these are equal (row ids of SQLite and insertion order aside).
 */
async function fingerprint(db, tables, user) {
  const out = { users: [JSON.stringify(Object.entries(user).filter(([k]) => k !== 'moving').sort())] };
  for (const { name } of tables) {
    const rows = [];
    for await (const row of tableRows(db, name, user.id)) rows.push(JSON.stringify(Object.entries(row).sort()));
    out[name] = rows.sort();
  }
  return out;
}

/** The first table whose rows differ between two fingerprints, or null. */
function difference(a, b) {
  for (const table of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[table] ?? [];
    const y = b[table] ?? [];
    if (x.length !== y.length) return `${table}: ${x.length} rows, ${y.length} in the copy`;
    for (let i = 0; i < x.length; i += 1) if (x[i] !== y[i]) return `${table}: a row differs`;
  }
  return null;
}

const rowCount = (print) => Object.values(print).reduce((n, rows) => n + rows.length, 0);

/**
 * Moves `username` to the shard bound as `to`. `env` holds the bindings: `DIRECTORY`, the shards by name, and
 * `ACCESSES` (KV, for the cached placement). Steps, each guarded on the state the previous one left:
 * 1. the directory row goes `active` → `moving` (one move at a time; registrations see the name taken as before);
 * 2. the source's `users.moving = 'moving'`: from then on its triggers refuse every write of the account and the
 *    request guard answers writes 503 `account-moving` (reads are still served);
 * 3. every row is copied to the target, `users` last and still marked `moving` there;
 * 4. source and copy are compared row for row (the source cannot have changed: step 2);
 * 5. the source becomes `moved` (requests reaching it are sent back to the directory), the directory names the
 *    target (and the shard loads follow), the cached placement is dropped, and the copy is unfrozen;
 * 6. the source rows are deleted.
 * `log` is awaited after each step (a test acts while the account is frozen).
 * A failure before step 5 undoes everything (copy deleted, source unfrozen, directory row active again).
 * R2 objects stay where they are: every shard shares the one bucket.
 */
export async function moveAccount(env, username, to, log = () => undefined) {
  const d = env.DIRECTORY;
  const entry = await d.prepare('SELECT shard, state, user_id AS userId FROM accounts WHERE username = ?').bind(username).first();
  if (!entry) throw new MoveError(`no account "${username}" in the directory`);
  if (entry.state !== 'active') throw new MoveError(`"${username}" is ${entry.state}, not active: finish or undo that first`);
  const from = entry.shard;
  if (from === to) throw new MoveError(`"${username}" is already on ${to}`);
  const source = env[from];
  const target = env[to];
  if (!/^DB_\d+$/.test(to) || !target) throw new MoveError(`no shard binding "${to}"`);
  if (!source) throw new MoveError(`the directory names shard "${from}", which has no binding here`);
  const taken = await target.prepare('SELECT username FROM users WHERE id = ? OR username = ?').bind(entry.userId, username).first();
  if (taken) throw new MoveError(`${to} already holds an account "${taken.username}" with this name or id`);

  // 1. One move at a time, decided by the directory row's state.
  const claimed = await d.prepare(`UPDATE accounts SET state = 'moving' WHERE username = ? AND state = 'active' AND shard = ?`).bind(username, from).run();
  if (claimed.meta.changes !== 1) throw new MoveError(`"${username}" changed meanwhile: try again`);
  const tables = await accountTables(source);
  let copied = false;
  try {
    // 2. Freeze the source.
    await source.prepare(`UPDATE users SET moving = 'moving' WHERE id = ? AND moving IS NULL`).bind(entry.userId).run();
    const user = await source.prepare('SELECT * FROM users WHERE id = ?').bind(entry.userId).first();
    if (user?.moving !== 'moving') throw new MoveError(`"${username}" is not frozen on ${from}`);
    await log(`${username}: frozen on ${from}`);

    // 3. Copy, users last.
    copied = true;
    const writer = new TableWriter(target, await accountTables(target), (message) => {
      throw new MoveError(`${to}: ${message} (migrate every shard to the same schema first)`);
    });
    for (const { name } of tables) for await (const row of tableRows(source, name, entry.userId)) await writer.add(name, row);
    await writer.flush();
    await insertUserRow(target, user);

    // 4. Verify.
    const before = await fingerprint(source, tables, user);
    const copy = await target.prepare('SELECT * FROM users WHERE id = ?').bind(entry.userId).first();
    const after = await fingerprint(target, tables, copy);
    const differs = difference(before, after);
    if (differs) throw new MoveError(`the copy on ${to} differs from ${from}: ${differs}`);
    await log(`${username}: ${rowCount(before)} rows copied to ${to} and verified`);

    // 5. Switch.
    await source.prepare(`UPDATE users SET moving = 'moved' WHERE id = ?`).bind(entry.userId).run();
    await d.batch([
      d.prepare(`UPDATE accounts SET shard = ?, state = 'active' WHERE username = ? AND state = 'moving'`).bind(to, username),
      d.prepare('UPDATE shard_loads SET accounts = accounts - 1 WHERE shard = ?').bind(from),
      d.prepare('INSERT INTO shard_loads (shard, accounts) VALUES (?, 1) ON CONFLICT (shard) DO UPDATE SET accounts = accounts + 1').bind(to),
    ]);
    copied = false;
  } catch (e) {
    await undo(env, { username, userId: entry.userId, source, target, tables, copied });
    throw e;
  }
  await env.ACCESSES.delete(placementKey(username));
  await target.prepare('UPDATE users SET moving = NULL WHERE id = ?').bind(entry.userId).run();
  await log(`${username}: the directory names ${to}`);

  // 6. The source copy is no longer read by anyone: requests reaching it are sent to the directory.
  await deleteAccountRows(source, tables, entry.userId);
  await log(`${username}: deleted from ${from}`);
  return { from, to };
}

/** Puts everything back as before the move: the copy deleted, the source unfrozen, the directory row active. */
async function undo(env, { username, userId, source, target, tables, copied }) {
  if (copied) {
    // A frozen copy refuses deletes ('moving'); 'moved' lets them through.
    await target.prepare(`UPDATE users SET moving = 'moved' WHERE id = ?`).bind(userId).run();
    await deleteAccountRows(target, tables, userId);
  }
  await source.prepare('UPDATE users SET moving = NULL WHERE id = ?').bind(userId).run();
  await env.DIRECTORY.prepare(`UPDATE accounts SET state = 'active' WHERE username = ? AND state = 'moving'`).bind(username).run();
}

