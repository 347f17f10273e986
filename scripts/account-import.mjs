// `npm run account:import -- [--in alice.jsonl] [--to DB_n] [--persist-to DIR]` (stdin without --in): adds an account
// exported by `account:export` to the local state, on shard `--to` or the one with the fewest accounts (reserved in
// the directory first, decision 028). Refuses an unknown format or version, another schema, and an account
// whose username, e-mail or id is already there. Rows go in bounded D1 batches, then the R2 objects, then the
// `users` row last: until that row exists the account does not, and on failure everything written is removed.
// See docs/decisions/027-account-export-import.md. Stop the server first.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { AccountFileError, DEFAULT_STATE_DIR, FORMAT, VERSION, accountTables, blobPrefixes, openState, quote, schemaVersion, userColumns } from './account-state.mjs';
import { TableWriter, confirmImported, insertUserRow, releaseImported, reserveImported, shardNames } from './account-tables.mjs';

const { values } = parseArgs({ options: { in: { type: 'string' }, 'persist-to': { type: 'string' }, to: { type: 'string' } } });
const input = values.in ? createReadStream(values.in) : process.stdin;
const NPM_BANNER_PREFIX = '> ';

/** Checks the header line against this state: format, version, schema. */
async function checkHeader(db, header) {
  if (header?.format !== FORMAT) throw new AccountFileError(`not a ${FORMAT} file`);
  if (header.version !== VERSION) throw new AccountFileError(`unknown ${FORMAT} version ${JSON.stringify(header.version)} (this version reads ${VERSION})`);
  const schema = await schemaVersion(db);
  if (header.schema !== schema) throw new AccountFileError(`the file was exported at schema "${header.schema}", this state is at "${schema}": migrate both to the same`);
}

async function refuseExisting(db, user) {
  const taken = await db.prepare('SELECT username FROM users WHERE id = ? OR username = ? OR email = ?').bind(user.id, user.username, user.email).first();
  if (taken) throw new AccountFileError(`an account with the username "${user.username}", its e-mail or its id already exists here ("${taken.username}")`);
}

/** Removes whatever an import that failed wrote for `userId` (it owned all of it: the id was free). */
async function undo(env, db, tables, userId) {
  for (const { name } of tables) await db.prepare(`DELETE FROM ${quote(name)} WHERE user_id = ?`).bind(userId).run();
  for (const prefix of blobPrefixes(userId)) {
    let page;
    do {
      page = await env.ATTACHMENTS.list({ prefix });
      if (page.objects.length > 0) await env.ATTACHMENTS.delete(page.objects.map((o) => o.key));
    } while (page.truncated);
  }
}

const { env, dispose } = await openState(values['persist-to'] ?? DEFAULT_STATE_DIR);
let userId;
let tables = [];
let user;
let shard = null;
let db = null;
try {
  if (values.to && !shardNames(env).includes(values.to)) throw new AccountFileError(`no shard binding "${values.to}" (wrangler.toml names ${shardNames(env).join(', ')})`);
  // Every shard has the same schema: the first one answers for all until the account's shard is chosen.
  const schemaDb = env[shardNames(env)[0]];
  let writer;
  let blob = null;
  let counts = { rows: 0, blobs: 0 };
  let ended = false;
  const putBlob = async () => {
    if (!blob) return;
    const bytes = Buffer.concat(blob.parts);
    if (bytes.length !== blob.size) throw new AccountFileError(`object "${blob.key}": ${bytes.length} bytes, the file announced ${blob.size}`);
    await env.ATTACHMENTS.put(blob.key, bytes, { httpMetadata: blob.httpMetadata, customMetadata: blob.customMetadata });
    counts.blobs += 1;
    blob = null;
  };
  let lineNo = 0;
  let header = false;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    lineNo += 1;
    // `npm run account:export … > file` puts npm's banner (blank and "> …" lines) on stdout before the file.
    if (text === '' || (!header && text.startsWith(NPM_BANNER_PREFIX))) continue;
    let item;
    try {
      item = JSON.parse(text);
    } catch {
      throw new AccountFileError(`line ${lineNo} is not JSON`);
    }
    if (ended) throw new AccountFileError(`line ${lineNo} follows the end line`);
    if (!header) {
      await checkHeader(schemaDb, item);
      header = true;
      continue;
    }
    if (item.table === 'users') {
      const row = item.row;
      const known = new Set(await userColumns(schemaDb));
      for (const c of Object.keys(row)) if (!known.has(c)) throw new AccountFileError(`unknown column "${c}" of "users"`);
      // The directory decides uniqueness across shards and places the account (decision 028).
      shard = await reserveImported(env, row, values.to);
      if (shard === null) throw new AccountFileError(`an account with the username "${row.username}", its e-mail or its id already exists here`);
      user = row;
      db = env[shard];
      await refuseExisting(db, user);
      userId = user.id;
      tables = await accountTables(db);
      writer = new TableWriter(db, tables, (message) => {
        throw new AccountFileError(message);
      });
      counts.rows += 1;
    } else if (item.table !== undefined) {
      if (!user || item.row?.user_id !== user.id) throw new AccountFileError(`line ${lineNo}: a row of another account, or before the users row`);
      await writer.add(item.table, item.row);
      counts.rows += 1;
    } else if (item.blob !== undefined && item.chunk === undefined) {
      await writer.flush();
      await putBlob();
      if (!user || !blobPrefixes(user.id).some((p) => item.blob.startsWith(p))) throw new AccountFileError(`line ${lineNo}: object "${item.blob}" is not this account's`);
      blob = { key: item.blob, size: item.size, httpMetadata: item.httpMetadata, customMetadata: item.customMetadata, parts: [] };
    } else if (item.blob !== undefined) {
      if (blob?.key !== item.blob || item.chunk !== blob.parts.length) throw new AccountFileError(`line ${lineNo}: chunk ${item.chunk} of "${item.blob}" out of order`);
      blob.parts.push(Buffer.from(item.data, 'base64'));
    } else if (item.end === true) {
      await writer.flush();
      await putBlob();
      if (item.rows !== counts.rows || item.blobs !== counts.blobs) {
        throw new AccountFileError(`the file announces ${item.rows} rows and ${item.blobs} objects, it holds ${counts.rows} and ${counts.blobs}`);
      }
      ended = true;
    } else {
      throw new AccountFileError(`line ${lineNo}: unknown kind of line`);
    }
  }
  if (!header) throw new AccountFileError('the file is empty');
  if (!ended) throw new AccountFileError('the file ends before its end line: cut short?');
  // Last, and as exported: the storage counters the event triggers keep were not touched while the users row
  // was absent, so they stay exact; the username and e-mail unique indexes decide a race with a registration.
  await insertUserRow(db, user);
  await confirmImported(env, user);
  console.error(`account:import: "${user.username}" imported into ${shard}: ${counts.rows} rows, ${counts.blobs} objects`);
} catch (e) {
  if (userId) await undo(env, db, tables, userId);
  if (shard) await releaseImported(env, user, shard);
  console.error(`account:import: ${e instanceof AccountFileError ? e.message : e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await dispose();
}
