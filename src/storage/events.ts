/**
 * SQL of single-event operations. An event is one `events` row (stream ids, tags as JSON arrays) plus one
 * `event_streams` row per stream, which lets events.get reach a stream subtree's events by index. Deleted
 * events stay as tombstones (`deleted` set, links removed) keeping ids blocked forever and, for deletion
 * visibility, `stream_ids`, `time`, `duration` and `tags`.
 */
import { sql } from 'drizzle-orm';
import { releaseEventBlobs } from './blob-journal';
import { abortExpression } from './d1-errors';
import type { Db } from './db';
import { allFixed, fixedSql, runFixed } from './fixed-statements';
import { events } from './schema';

/** A file of an event (§4.6) as stored; `key` is its R2 object and never leaves the server. */
export interface StoredAttachment {
  id: string;
  fileName: string;
  type: string;
  size: number;
  integrity: string;
  key: string;
}

/** An event as the methods handle it. `duration: null` is running; absent is a point event. */
export interface StoredEvent {
  id: string;
  streamIds: string[];
  time: number;
  duration?: number | null;
  type: string;
  content?: unknown;
  tags: string[];
  description?: string;
  clientData?: Record<string, unknown>;
  trashed: boolean;
  /** Absent when the event has none. */
  attachments?: StoredAttachment[];
  created: number;
  createdBy: string;
  modified: number;
  modifiedBy: string;
  deleted?: number;
  /** The row revision it was read at (absent for a new event); guarded writes require it unchanged. */
  rev?: number;
}

/** An `events` row as raw SQL returns it. */
export interface EventDbRow {
  id: string;
  stream_ids: string;
  time: number;
  duration: number | null;
  running: number;
  end_time: number | null;
  type: string;
  content: string | null;
  tags: string;
  description: string | null;
  client_data: string | null;
  trashed: number;
  attachments: string | null;
  created: number;
  created_by: string;
  modified: number;
  modified_by: string;
  deleted: number | null;
  rev: number;
}

export function fromRow(r: EventDbRow): StoredEvent {
  const e: StoredEvent = {
    id: r.id,
    streamIds: JSON.parse(r.stream_ids) as string[],
    time: r.time,
    type: r.type,
    tags: JSON.parse(r.tags) as string[],
    trashed: r.trashed === 1,
    created: r.created,
    createdBy: r.created_by,
    modified: r.modified,
    modifiedBy: r.modified_by,
  };
  if (r.running === 1) e.duration = null;
  else if (r.duration !== null && r.duration > 0) e.duration = r.duration;
  if (r.content !== null) e.content = JSON.parse(r.content);
  if (r.description !== null) e.description = r.description;
  if (r.client_data !== null) e.clientData = JSON.parse(r.client_data) as Record<string, unknown>;
  if (r.attachments !== null) {
    const files = JSON.parse(r.attachments) as StoredAttachment[];
    if (files.length > 0) e.attachments = files;
  }
  if (r.deleted !== null) e.deleted = r.deleted;
  e.rev = r.rev;
  return e;
}

/**
 * The wire form (§4.2): `duration: null` kept for running events, `tags` always, `trashed` only when true,
 * `attachments` only when there are some, each with the calling access's `readToken` (from `readTokens`, by
 * file id) and never its storage key.
 */
export function eventOutput(e: StoredEvent, readTokens?: ReadonlyMap<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { id: e.id, streamIds: e.streamIds, time: e.time };
  if (e.duration !== undefined) out.duration = e.duration;
  out.type = e.type;
  if (e.content !== undefined && e.content !== null) out.content = e.content;
  out.tags = e.tags;
  if (e.description !== undefined) out.description = e.description;
  if (e.clientData !== undefined) out.clientData = e.clientData;
  if (e.trashed) out.trashed = true;
  if (e.attachments?.length) {
    out.attachments = e.attachments.map((a) => {
      const file: Record<string, unknown> = { id: a.id, fileName: a.fileName, type: a.type, size: a.size };
      const readToken = readTokens?.get(a.id);
      if (readToken !== undefined) file.readToken = readToken;
      file.integrity = a.integrity;
      return file;
    });
  }
  out.created = e.created;
  out.createdBy = e.createdBy;
  out.modified = e.modified;
  out.modifiedBy = e.modifiedBy;
  return out;
}

function columns(e: StoredEvent) {
  const running = e.duration === null;
  const duration = typeof e.duration === 'number' && e.duration > 0 ? e.duration : null;
  return {
    streamIds: JSON.stringify(e.streamIds),
    time: e.time,
    duration,
    running,
    endTime: running ? null : e.time + (duration ?? 0),
    type: e.type,
    content: e.content === undefined || e.content === null ? null : JSON.stringify(e.content),
    tags: JSON.stringify(e.tags),
    description: e.description ?? null,
    clientData: e.clientData === undefined ? null : JSON.stringify(e.clientData),
    trashed: e.trashed,
    attachments: e.attachments?.length ? JSON.stringify(e.attachments) : null,
    modified: e.modified,
    modifiedBy: e.modifiedBy,
  };
}

const INSERT_LINKS = fixedSql(`INSERT INTO event_streams (user_id, stream_id, event_id, time)
    SELECT ?, value, ?, ? FROM json_each(?)`);

function insertLinks(db: Db, userId: string, e: StoredEvent) {
  return runFixed(db, INSERT_LINKS, [userId, e.id, e.time, JSON.stringify(e.streamIds)]);
}

/**
 * An event's links, found by primary key from the stream ids its row holds (decision 038): run before the row's
 * `stream_ids` change.
 */
const DELETE_LINKS = fixedSql(`DELETE FROM event_streams WHERE user_id = ? AND event_id = ?
    AND stream_id IN (SELECT value FROM json_each((SELECT stream_ids FROM events WHERE user_id = ? AND id = ?)))`);

function deleteLinks(db: Db, userId: string, eventId: string) {
  return runFixed(db, DELETE_LINKS, [userId, eventId, userId, eventId]);
}

/** The `events` row of a new event, by schema key. */
export function newEventRow(userId: string, e: StoredEvent) {
  return { userId, id: e.id, created: e.created, createdBy: e.createdBy, ...columns(e) };
}

type Column = { name: string; mapToDriverValue(value: unknown): unknown };

/**
 * A row by schema key as SQL column names and driver values (booleans as 0/1). The writes below are fixed
 * statements (src/storage/fixed-statements.ts): Drizzle's insert/update builders cost about 200 µs of CPU per
 * statement to prepare, a raw template about 30, a fixed statement nothing beyond its parameters
 * (docs/performance.md, "Writes").
 */
export function rowColumns(row: Record<string, unknown>): { names: string[]; values: unknown[] } {
  const names: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(row)) {
    const column = (events as unknown as Record<string, Column>)[key];
    names.push(column.name);
    values.push(value === undefined || value === null ? null : column.mapToDriverValue(value));
  }
  return { names, values };
}

const columnList = (names: string[]) => names.map((n) => `"${n}"`).join(', ');

/** An event that has every optional field, so `columns` shows all of its keys (they do not depend on the event). */
const PROBE: StoredEvent = { id: '', streamIds: [], time: 0, type: '', tags: [], trashed: false, created: 0, createdBy: '', modified: 0, modifiedBy: '' };
const NEW_ROW_NAMES = rowColumns(newEventRow('', PROBE)).names;
const UPDATE_NAMES = rowColumns(columns(PROBE)).names;

/** A new event's row: `newEventRow`'s columns, always the same ones in the same order. */
const INSERT_ROW = fixedSql(`INSERT INTO events (${columnList(NEW_ROW_NAMES)}) VALUES (${NEW_ROW_NAMES.map(() => '?').join(', ')})`);
/** An event's rewrite: every column `columns` gives, then the event's keys. */
const UPDATE_ROW = fixedSql(`UPDATE events SET ${UPDATE_NAMES.map((n) => `"${n}" = ?`).join(', ')}, rev = rev + 1
    WHERE user_id = ? AND id = ? AND deleted IS NULL`);

/** Statements made by `insertEvent`, with their event: a batch may merge them (src/storage/event-inserts.ts). */
const insertsOf = new WeakMap<object, { userId: string; event: StoredEvent; part: 'row' | 'links' }>();

export function insertedEvent(statement: object) {
  return insertsOf.get(statement);
}

/** The event row and its stream links, for one batch. A used id (tombstones included) fails the PK. */
export function insertEvent(db: Db, userId: string, e: StoredEvent) {
  const row = runFixed(db, INSERT_ROW, rowColumns(newEventRow(userId, e)).values);
  const links = insertLinks(db, userId, e);
  insertsOf.set(row, { userId, event: e, part: 'row' });
  insertsOf.set(links, { userId, event: e, part: 'links' });
  return [row, links] as const;
}


const SELECT_EVENT = fixedSql('SELECT * FROM events WHERE user_id = ? AND id = ?');

export function selectEvent(db: Db, userId: string, id: string) {
  return allFixed<EventDbRow>(db, SELECT_EVENT, [userId, id]);
}

const REVISION_GUARD = fixedSql(`SELECT CASE WHEN EXISTS (
      SELECT 1 FROM events WHERE user_id = ? AND id = ? AND rev = ? AND deleted IS NULL)
    THEN 1 ELSE ${abortExpression('row-changed')} END AS ok`);

/**
 * First statement of a write to an event read at revision `rev`: aborts the batch ('row-changed') when the
 * event changed or was deleted since, so a concurrent write is never silently overwritten.
 */
export function eventRevisionGuard(db: Db, userId: string, id: string, rev: number) {
  return allFixed<{ ok: number }>(db, REVISION_GUARD, [userId, id, rev]);
}

/**
 * Rewrites a live event read at `e.rev` (guarded) and, when streams or time changed, its links: the old ones go
 * before the row's stream ids change, which is how they are found.
 */
export function replaceEvent(db: Db, userId: string, e: StoredEvent, relink: boolean) {
  const guard = eventRevisionGuard(db, userId, e.id, e.rev ?? 0);
  const update = runFixed(db, UPDATE_ROW, [...rowColumns(columns(e)).values, userId, e.id]);
  return relink ? ([guard, deleteLinks(db, userId, e.id), update, insertLinks(db, userId, e)] as const) : ([guard, update] as const);
}

/**
 * The links of the events listed (a JSON array of ids), each by primary key from the stream ids their rows keep
 * (decision 038).
 */
export function eventsLinksDeleteSql(userId: string, list: string) {
  return sql`DELETE FROM event_streams
    WHERE user_id = ${userId} AND (stream_id, event_id) IN (
      SELECT s.value, e.id FROM events e, json_each(e.stream_ids) s
      WHERE e.user_id = ${userId} AND e.id IN (SELECT value FROM json_each(${list})))`;
}

/**
 * Deletes events for good: a tombstone keeps id, streams, time, duration and tags; the payload goes. Their
 * attachments are journaled for deletion in the same batch (the first statement returns the journaled keys:
 * delete the blobs once the batch committed).
 */
export function tombstoneEvents(db: Db, userId: string, ids: string[], now: number, by: string) {
  const list = JSON.stringify(ids);
  return [
    releaseEventBlobs(db, userId, ids, now),
    db.run(sql`
      UPDATE events SET deleted = ${now}, modified = ${now}, modified_by = ${by}, rev = rev + 1,
        content = NULL, description = NULL, client_data = NULL, attachments = NULL
      WHERE user_id = ${userId} AND id IN (SELECT value FROM json_each(${list})) AND deleted IS NULL`),
    db.run(eventsLinksDeleteSql(userId, list)),
  ] as const;
}

/** Sets new stream ids on many events in one statement (stream deletion); links are handled by the caller. */
export function setEventStreamIds(db: Db, userId: string, changes: { id: string; streamIds: string[] }[], now: number, by: string) {
  const map = JSON.stringify(changes.map((c) => ({ id: c.id, s: c.streamIds })));
  return db.run(sql`
    UPDATE events SET
      stream_ids = (SELECT json_extract(m.value, '$.s') FROM json_each(${map}) m WHERE json_extract(m.value, '$.id') = events.id),
      modified = ${now}, modified_by = ${by}, rev = rev + 1
    WHERE user_id = ${userId} AND deleted IS NULL
      AND id IN (SELECT json_extract(value, '$.id') FROM json_each(${map}))`);
}
