// `npm run account:export -- --user alice [--persist-to DIR] > alice.jsonl`: one account of the local state as
// JSON lines (format in docs/decisions/027-account-export-import.md), streamed to stdout. Stop the server first.
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { BLOB_CHUNK_BYTES, DEFAULT_STATE_DIR, FORMAT, VERSION, accountTables, blobPrefixes, openState, schemaVersion, shardOfUser } from './account-state.mjs';
import { tableRows } from './account-tables.mjs';

const { values } = parseArgs({ options: { user: { type: 'string' }, 'persist-to': { type: 'string' } } });
if (!values.user) {
  console.error('account:export: --user <username> is required');
  process.exit(2);
}

/** Writes one line, waiting when stdout's buffer is full (a large account never sits in memory). */
async function line(value) {
  if (!process.stdout.write(`${JSON.stringify(value)}\n`)) await once(process.stdout, 'drain');
}

const { env, dispose } = await openState(values['persist-to'] ?? DEFAULT_STATE_DIR);
try {
  // The account's shard, as the directory names it (decision 028).
  const db = (await shardOfUser(env, values.user))?.db;
  const user = db ? await db.prepare('SELECT * FROM users WHERE username = ?').bind(values.user).first() : null;
  if (!user) {
    console.error(`account:export: no user "${values.user}" in this state`);
    process.exitCode = 1;
  } else {
    await line({ format: FORMAT, version: VERSION, schema: await schemaVersion(db), username: user.username, userId: user.id, exported: new Date().toISOString() });
    await line({ table: 'users', row: user });
    let rows = 1;
    for (const { name } of await accountTables(db)) {
      // Keyset pages on rowid: each page is one bounded query, whatever the account's size.
      for await (const row of tableRows(db, name, user.id)) {
        await line({ table: name, row });
        rows += 1;
      }
    }
    let blobs = 0;
    for (const prefix of blobPrefixes(user.id)) {
      let cursor;
      do {
        const page = await env.ATTACHMENTS.list({ prefix, cursor, include: ['httpMetadata', 'customMetadata'] });
        for (const object of page.objects) {
          await line({ blob: object.key, size: object.size, httpMetadata: object.httpMetadata ?? {}, customMetadata: object.customMetadata ?? {} });
          for (let offset = 0, n = 0; offset < object.size; offset += BLOB_CHUNK_BYTES, n += 1) {
            const length = Math.min(BLOB_CHUNK_BYTES, object.size - offset);
            const part = await env.ATTACHMENTS.get(object.key, { range: { offset, length } });
            await line({ blob: object.key, chunk: n, data: Buffer.from(await part.arrayBuffer()).toString('base64') });
          }
          blobs += 1;
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
    }
    // The last line: an import that does not reach it knows the file was cut short.
    await line({ end: true, rows, blobs });
  }
} finally {
  await dispose();
}
