/**
 * The data of a share page, read through the method table exactly as the API serves it (`streams.get`,
 * `events.get`), so visibility and narrowing are the API's own. Both calls run guarded: a revoked access is
 * refused in the same D1 round trip that reads its data.
 */
import { BATCH_RESULT_LIMIT } from '../api/batch';
import { invoke } from '../api/invoke';
import { collectPayload } from '../api/serialize';
import { err } from '../api/errors';
import { Permissions, type Permission } from '../auth/permissions';
import { runGuarded, StaleAccessError } from '../auth/request-guard';
import type { Resolved } from '../auth/resolve-access';
import { METHODS } from '../methods';
import type { AccessContext, PublicContext } from '../methods/context';
import { parseJson } from '../storage/db';
import type { AccessRow, UserRow } from '../storage/schema';
import { usableForShare } from './share-resolver';

export const PAGE_SIZE = 20;
/** Deeper pages are refused rather than scanned (skip is linear). */
export const MAX_PAGE = 500;

export interface StreamNode {
  id: string;
  name: string;
  children: StreamNode[];
}

export interface EventItem {
  id: string;
  time: number;
  type: string;
  streamIds: string[];
  content?: unknown;
  duration?: number | null;
  tags?: string[];
  description?: string;
}

export interface ShareView {
  user: UserRow;
  access: AccessRow;
  streams: StreamNode[];
  events: EventItem[];
  page: number;
  hasMore: boolean;
}

function accessContext(base: PublicContext, r: { user: UserRow; access: AccessRow }, token: string): AccessContext {
  const { access } = r;
  return {
    ...base,
    user: r.user,
    access,
    token,
    permissions: new Permissions(access.type, parseJson<Permission[]>(access.permissions, [])),
    run: (statements) => runGuarded(base.db, access, base.now, statements),
  };
}

async function call(methodId: string, params: Record<string, unknown>, ctx: AccessContext): Promise<Record<string, unknown>> {
  const def = METHODS.get(methodId);
  if (!def) throw err.unavailable(methodId);
  const result = await invoke(def, params, ctx);
  return collectPayload(result.payload, BATCH_RESULT_LIMIT);
}

async function readView(ctx: AccessContext, page: number): Promise<ShareView> {
  // No time bounds and an explicit limit: the latest events, whatever their age (§6.1).
  const [s, e] = await Promise.all([
    call('streams.get', {}, ctx),
    call('events.get', { limit: PAGE_SIZE + 1, skip: page * PAGE_SIZE }, ctx),
  ]);
  const events = (e.events ?? []) as EventItem[];
  return {
    user: ctx.user,
    access: ctx.access,
    streams: (s.streams ?? []) as StreamNode[],
    events: events.slice(0, PAGE_SIZE),
    page,
    hasMore: events.length > PAGE_SIZE,
  };
}

/**
 * Loads the page of a resolved share, or null when it is not available. A refusal by the guard (a stale KV
 * entry, or a race with a change) re-resolves from D1 once, as the API transport does.
 */
export async function loadShareView(
  base: PublicContext,
  resolve: (skipCache: boolean) => Promise<Resolved | null>,
  token: string,
  page: number,
): Promise<ShareView | null> {
  let resolved = await resolve(false);
  for (let attempt = 0; ; attempt++) {
    if (!resolved || !usableForShare(resolved.access, base.now)) return null;
    try {
      return await readView(accessContext(base, { user: resolved.user, access: resolved.access }, token), page);
    } catch (e) {
      if (!(e instanceof StaleAccessError)) throw e;
      if (attempt > 0) return null;
      resolved = await resolve(true);
    }
  }
}
