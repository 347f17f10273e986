/**
 * events.get over the audit store (§5.13): a streams query naming audit streams reads audit records, shaped
 * as events, with the same time window, types, paging and order as other events. Naming an audit stream the
 * access may not read is 403; mixing audit and account streams in one call is a malformed query.
 */
import type { AccessContext } from '../core/context';
import { err } from '../core/errors';
import {
  accessStreamId, actionStreamId, auditCondition, auditReadable, isAuditId, parseAuditStream,
} from '../audit/streams';
import { selectAuditEventsPage, type AuditFilter, type AuditStreamQuery } from '../storage/audit';
import type { PageCursor } from '../storage/events-query';
import type { AuditRecordRow } from '../storage/schema';
import type { StreamsQuery } from './streams-query';

const baseId = (id: string) => (id.endsWith('!') ? id.slice(0, -1) : id);
const idsOf = (q: StreamsQuery) => [...q.any, ...(q.all ?? []), ...(q.not ?? [])];

/**
 * Whether the call reads the audit store. Every id must then be an audit stream: one call reads one store.
 */
export function readsAudit(queries: readonly StreamsQuery[]): boolean {
  const ids = queries.flatMap(idsOf).map(baseId);
  const audit = ids.filter(isAuditId).length;
  if (audit === 0) return false;
  if (audit !== ids.length) throw err.requestStructure('Malformed streams query: audit streams cannot be combined with other streams (or "*") in one call.');
  return true;
}

/** References (400), permissions (403: `any` and `all` only, as §6.2), then each query's SQL conditions. */
export function compileAuditQueries(ctx: AccessContext, queries: readonly StreamsQuery[]): AuditStreamQuery[] {
  const unknown = [...new Set(queries.flatMap(idsOf).filter((id) => parseAuditStream(baseId(id)) === null))];
  if (unknown.length > 0) throw err.unknownReferenced(`Unknown stream(s): ${unknown.join(', ')}.`, { streams: unknown });
  const condition = (id: string, checkRead: boolean) => {
    const stream = parseAuditStream(baseId(id))!;
    if (checkRead && !auditReadable(ctx.permissions, ctx.access.id, baseId(id), stream)) {
      throw err.forbidden(`The access cannot read stream "${baseId(id)}".`);
    }
    return auditCondition(stream, id.endsWith('!'));
  };
  return queries.map((q) => ({
    any: q.any.map((id) => condition(id, true)),
    all: (q.all ?? []).map((id) => condition(id, true)),
    not: (q.not ?? []).map((id) => condition(id, false)),
  }));
}

const ERROR_TYPE = 'audit-log/pryv-api-error';
const SUCCESS_TYPE = 'audit-log/pryv-api';

/** A stored record as an audit event (§5.13 fields). */
export function auditEventOutput(row: AuditRecordRow): Record<string, unknown> {
  const content: Record<string, unknown> = {
    source: { name: row.sourceName, ip: row.sourceIp },
    action: row.methodId,
    query: JSON.parse(row.query),
  };
  if (row.errorId !== null) {
    content.id = row.errorId;
    content.message = row.errorMessage ?? '';
  }
  return {
    id: `:_audit:${row.id}`,
    streamIds: [accessStreamId(row.accessId), actionStreamId(row.methodId)],
    time: row.time,
    type: row.errorId === null ? SUCCESS_TYPE : ERROR_TYPE,
    content,
    tags: [],
    created: row.time,
    createdBy: 'system',
    modified: row.time,
    modifiedBy: 'system',
  };
}

export interface AuditRead {
  from?: number;
  to?: number;
  limit: number;
  skip: number;
  types?: { exact: string[]; classes: string[] };
  modifiedSince?: number;
  ascending: boolean;
  /** A filter no audit event passes: `tags`, `running=true`, `state=trashed` (audit events have none of them). */
  empty: boolean;
}

/** Rows per round trip once a result is larger than one page (as for events). */
const PAGE_ROWS = 1000;

/** The events of the audit store matching `queries`: the first page at once, further pages on demand. */
export async function readAuditEvents(
  ctx: AccessContext,
  queries: AuditStreamQuery[],
  read: AuditRead,
): Promise<Record<string, unknown>[] | AsyncGenerator<Record<string, unknown>>> {
  if (read.empty || read.limit <= 0) {
    await ctx.run([]);
    return [];
  }
  const filter: AuditFilter = {
    userId: ctx.user.id, from: read.from, to: read.to, queries, types: read.types,
    modifiedSince: read.modifiedSince, ascending: read.ascending,
  };
  const firstSize = Math.min(PAGE_ROWS, read.limit);
  const { results: [first] } = await ctx.run([selectAuditEventsPage(ctx.db, filter, firstSize, read.skip)] as const);
  if (first.length < firstSize || first.length >= read.limit) return first.map(auditEventOutput);
  return (async function* pages() {
    let rows = first;
    let requested = firstSize;
    let remaining = read.limit - rows.length;
    for (;;) {
      for (const row of rows) yield auditEventOutput(row);
      if (rows.length < requested || remaining <= 0) return;
      const last = rows[rows.length - 1];
      const after: PageCursor = { time: last.time, id: last.id };
      requested = Math.min(PAGE_ROWS, remaining);
      rows = (await ctx.run([selectAuditEventsPage(ctx.db, filter, requested, 0, after)] as const)).results[0];
      remaining -= rows.length;
    }
  })();
}
