/**
 * The data of a share page, read through the call path exactly as the API serves it (`streams.get`,
 * `events.get`), so visibility, narrowing, the request guard, touches and audit are the API's own.
 */
import type { Resolution, Resolved } from '../auth/resolve-access';
import { withPageAccess } from '../calls/call-path';
import type { AccessContext, PublicContext } from '../core/context';
import { collectPayload } from '../core/payload';
import { BATCH_RESULT_LIMIT } from '../methods/batch';
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

/** An attachment as `events.get` returns it to the page's access (its `readToken` is that access's). */
export interface AttachmentItem {
  id: string;
  fileName: string;
  type: string;
  size: number;
  readToken: string;
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
  attachments?: AttachmentItem[];
}

export interface ShareView {
  user: UserRow;
  access: AccessRow;
  streams: StreamNode[];
  events: EventItem[];
  page: number;
  hasMore: boolean;
}

async function call(methodId: string, params: Record<string, unknown>, ctx: AccessContext): Promise<Record<string, unknown>> {
  const result = await ctx.callMethod(methodId, params);
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

/** Loads the page of a share, or null when its access is not usable (unknown, revoked, expired, not shared). */
export function loadShareView(
  base: PublicContext,
  lookup: (skipCache: boolean) => Promise<Resolution>,
  token: string,
  page: number,
  accept: (access: Resolved['access']) => boolean = (access) => usableForShare(access, base.now),
): Promise<ShareView | null> {
  return withPageAccess(base, { token, lookup, accept }, (ctx) => readView(ctx, page));
}
