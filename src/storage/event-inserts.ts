/**
 * Merging the D1 statements of consecutive `events.create` calls of one `callBatch` round trip into set-based
 * statements (decision 022). A call of `events.create` sends [tree-version check, event row, stream links];
 * a run of such calls on the same tree version becomes one check, then one multi-row insert per chunk of
 * events and one for their links. Each chunk's rows travel as ONE JSON parameter (`json_each(?)`), far within
 * D1's 100 bound parameters per statement. The caller keeps each call's own list, to replay it alone when the
 * merged round trip fails (one bad row fails the whole D1 batch).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from './db';
import { insertedEvent, newEventRow, rowColumns, type StoredEvent } from './events';
import { checkedTreeVersion } from './stream-tree';

type Stmt = BatchItem<'sqlite'>;

/** The statements to send and how to give each call back the results of its own statements. */
export interface MergedPlan {
  statements: Stmt[];
  split(results: unknown[]): unknown[][];
}

/**
 * Characters of JSON per merged statement: well under D1's 2 MB per value and 100 KB per statement text
 * (the rows are a parameter, not text).
 */
const MAX_JSON_CHARS = 1_000_000;

/** The user, tree version and event of a call's list when it is exactly one plain event insert. */
function eventInsertOf(list: Stmt[]): { userId: string; version: number; event: StoredEvent } | null {
  if (list.length !== 3) return null;
  const check = checkedTreeVersion(list[0]);
  const row = insertedEvent(list[1]);
  const links = insertedEvent(list[2]);
  if (!check || row?.part !== 'row' || links?.part !== 'links' || row.event !== links.event) return null;
  if (row.userId !== check.userId || links.userId !== check.userId) return null;
  return { userId: check.userId, version: check.version, event: row.event };
}

/** One multi-row insert of event rows: each row a JSON array of its driver values, in column order. */
function insertRows(db: Db, userId: string, list: StoredEvent[]): Stmt {
  const rows = list.map((e) => rowColumns(newEventRow(userId, e)));
  const values = rows.map((r) => r.values);
  const names = sql.raw(rows[0].names.map((n) => `"${n}"`).join(', '));
  const picks: SQL = sql.raw(rows[0].names.map((_, i) => `r.value ->> ${i}`).join(', '));
  return db.run(sql`INSERT INTO events (${names}) SELECT ${picks} FROM json_each(${JSON.stringify(values)}) r`);
}

/** The stream links of many events in one statement. */
function insertLinks(db: Db, userId: string, list: StoredEvent[]): Stmt {
  const links = list.map((e) => [e.id, e.time, e.streamIds]);
  return db.run(sql`INSERT INTO event_streams (user_id, stream_id, event_id, time)
    SELECT ${userId}, s.value, r.value ->> 0, r.value ->> 1 FROM json_each(${JSON.stringify(links)}) r, json_each(r.value -> 2) s`);
}

/** Chunks of events whose JSON stays within `MAX_JSON_CHARS`. */
function chunks(list: StoredEvent[]): StoredEvent[][] {
  const out: StoredEvent[][] = [];
  let current: StoredEvent[] = [];
  let size = 0;
  for (const e of list) {
    const bytes = JSON.stringify(e).length;
    if (current.length > 0 && size + bytes > MAX_JSON_CHARS) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(e);
    size += bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export function mergeEventInserts(db: Db, lists: Stmt[][]): MergedPlan {
  const statements: Stmt[] = [];
  /** For each list: the positions of its results in `statements`. */
  const positions: number[][] = [];
  let i = 0;
  while (i < lists.length) {
    const first = eventInsertOf(lists[i]);
    let end = i + 1;
    const run: StoredEvent[] = first ? [first.event] : [];
    if (first) {
      for (let next = eventInsertOf(lists[end] ?? []); end < lists.length && next && next.userId === first.userId && next.version === first.version; next = eventInsertOf(lists[end] ?? [])) {
        run.push(next.event);
        end += 1;
      }
    }
    if (!first || run.length < 2) {
      const at = statements.length;
      statements.push(...lists[i]);
      positions.push(lists[i].map((_, k) => at + k));
      i += 1;
      continue;
    }
    // One check, then each chunk's rows and links; every call gets [check, first rows, first links].
    const check = statements.length;
    statements.push(lists[i][0]);
    const parts = chunks(run);
    const firstRows = statements.length;
    for (const part of parts) statements.push(insertRows(db, first.userId, part), insertLinks(db, first.userId, part));
    for (let k = i; k < end; k++) positions.push([check, firstRows, firstRows + 1]);
    i = end;
  }
  return { statements, split: (results) => positions.map((p) => p.map((k) => results[k])) };
}
