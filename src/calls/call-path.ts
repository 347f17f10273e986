/**
 * The one call path: every transport (HTTP routes, `callBatch`, the share page, the real-time sockets) runs
 * methods through here. It owns what must not differ between them:
 * - resolving the user and the access (isolate memory → KV → D1) and building the typed contexts;
 * - confirming a cached access that no guarded round trip confirmed, and re-running once from D1 when the
 *   request guard finds the cached access stale (decision 003);
 * - the `lastUsed` / session touch;
 * - one audit record per call, failures and pre-method refusals included;
 * - the request's D1 session (reads may start on a replica, writes on the primary) and, for a replica read,
 *   the account authority's word that the replica saw the latest authorization change (decisions 025, 026);
 * - one merged change notice per account and request, after the writes committed, saying whether the
 *   request's access checks saw an active webhook (decision 019) or an account object with open sockets
 *   (decision 032);
 * - for multipart calls, staging the files (journaled, streamed to R2) and discarding them if the call fails;
 *   for downloads, resolving an attachment `readToken` to its access (decision 017).
 * See docs/decisions/013-call-path-and-change-feed.md.
 */
import { forgetAccess, writeCachedAccess } from '../auth/access-cache';
import { runGuarded } from '../auth/request-guard';
import {
  requireLiveAccess, requireNotExpired, resolveReadToken, resolveRequest, type Resolution, type Resolved,
} from '../auth/resolve-access';
import { SESSION_SECONDS, TOUCH_INTERVAL_SECONDS } from '../auth/session';
import type { AuditRecord } from '../core/audit';
import { PRIMARY_NOW, type Authority, type AuthorityState } from '../core/authority';
import type { AccessContext, MethodResult, PublicContext, UserContext } from '../core/context';
import { ApiError, err, MESSAGES, StaleAccessError, toApiError } from '../core/errors';
import { CHANGE_KINDS, type ChangeKind } from '../core/notices';
import type { FileStager } from '../core/uploads';
import { Permissions, type Permission } from '../core/permissions';
import { wireAccessId } from '../lib/access-refs';
import { isValidUsername } from '../lib/username';
import { METHODS, REMOVED_METHOD_IDS, UNSHIPPED_METHOD_IDS } from '../methods';
import { Uploads } from '../methods/attachment-uploads';
import type { AccessMethod, MethodDef } from '../methods/table';
import { touchAccess } from '../storage/accesses';
import { parseJson, type Db } from '../storage/db';
import { abortReason } from '../storage/d1-errors';
import { locate, locateFresh, relocate, type Shard } from '../storage/directory';
import { covers, FIRST_PRIMARY, FIRST_UNCONSTRAINED, isBookmark, type SessionStart } from '../storage/sessions';
import { RequestSession } from './request-session';

/** One call as a transport received it, before anything is checked. */
export interface UserCall {
  username: string;
  /** The method the route named; absent when no route matched (`routeError` says why). */
  methodId?: string;
  /** A refusal decided on the route (unknown, removed, unavailable): answered after the user check (§2.1). */
  routeError?: ApiError;
  /** The token as sent, if any (required only by methods that take an access). */
  token?: string;
  /** The raw params, read once and only after the token is accepted. */
  params: () => Promise<unknown>;
  /**
   * For a multipart body sent to a method declared with `files`: reads the params, handing each file part to
   * the stager (which streams it to blob storage). Used instead of `params`.
   */
  files?: (stager: FileStager) => Promise<unknown>;
  /** An attachment `readToken` (`?readToken=`), for the one method that accepts it, with the file it names. */
  readToken?: { value: string; fileId: string };
  /** Query-string and path params, for audit; never the body. */
  query: Record<string, unknown>;
  source: AuditRecord['source']['name'];
  /** A call that only reads (an HTTP GET): its D1 session may start on the nearest replica. */
  readOnly?: boolean;
  /** The client's `Pryv-Bookmark`: the request then sees at least the database state it names. */
  bookmark?: string;
}

/** Response header carrying the request's D1 bookmark; a client sends it back to read its own writes. */
export const BOOKMARK_HEADER = 'Pryv-Bookmark';

/** Out-parameters for the transport: response headers decided on the way (`Pryv-Access-Id`). */
export type CallHeaders = Record<string, string>;

/** Where a call's audit record goes among the request's records. */
interface AuditPlace {
  attempt: number;
  index: number;
}

/**
 * What one request accumulates: the audit records of its calls (kept back until the request ends, so a
 * re-run after a stale access does not record twice) and the kinds of change its successful calls made.
 */
class RequestScope {
  /** In call order: a nested call reserves its place when it starts (`reserve`), as batch calls may end out of order. */
  private records: (AuditRecord | null)[] = [];
  /** Bumped by `restart`: a place reserved by an abandoned attempt is not filled. */
  private attempt = 0;
  private readonly changed = new Set<ChangeKind>();
  /** What this request's guarded round trips said of the account's active webhooks; undefined when none ran. */
  private activeWebhooks: boolean | undefined;
  /** Whether one of them read the account's real-time sockets flag set (decision 032); undefined when none ran. */
  private realtimeSockets: boolean | undefined;
  /** Errors already recorded by the call that raised them (so the request's own refusal is not recorded twice). */
  private readonly recorded = new Set<unknown>();
  user: { id: string; username: string } | null = null;
  accessId: string | null = null;
  /** The request's D1 session on the account's database, once the account is known. */
  session: RequestSession | null = null;
  /** A request that only reads (an HTTP GET, a page): it may still read an account that is being moved. */
  readOnly = false;

  constructor(
    readonly base: PublicContext,
    readonly username: string,
    readonly source: AuditRecord['source']['name'],
  ) {}

  /** A place for the record of a call that starts now, filled by `audit(…, place)` when it ends. */
  reserve(): AuditPlace {
    this.records.push(null);
    return { attempt: this.attempt, index: this.records.length - 1 };
  }

  audit(methodId: string | null, query: Record<string, unknown>, error?: unknown, place?: AuditPlace): void {
    const record: AuditRecord = {
      time: this.base.now,
      userId: this.user?.id ?? null,
      username: this.username,
      accessId: this.accessId,
      methodId,
      source: { name: this.source, ip: this.base.request.ip },
      query,
    };
    if (error !== undefined) {
      const { id, message } = toApiError(error);
      record.error = { id, message };
      this.recorded.add(error);
    }
    if (place === undefined) this.records.push(record);
    else if (place.attempt === this.attempt) this.records[place.index] = record;
  }

  wasRecorded(error: unknown): boolean {
    return this.recorded.has(error);
  }

  /** Forgets what an attempt recorded: it is about to be re-run from scratch. */
  restart(): void {
    this.records = [];
    this.attempt += 1;
    this.changed.clear();
    this.recorded.clear();
    this.activeWebhooks = undefined;
    this.realtimeSockets = undefined;
  }

  noteChanges(kinds: readonly ChangeKind[]): void {
    for (const kind of kinds) this.changed.add(kind);
  }

  /** What one guarded round trip read, with its access check, about the account's webhooks and sockets. */
  noteGuard(read: { activeWebhooks: boolean; realtimeSockets: boolean }): void {
    this.activeWebhooks ||= read.activeWebhooks;
    this.realtimeSockets ||= read.realtimeSockets;
  }

  /** Hands the records and the merged notice to the hooks; nothing of it is on the response's path. */
  finish(): void {
    const { waitUntil } = this.base.request;
    const records = this.records.filter((r): r is AuditRecord => r !== null);
    if (records.length > 0) this.base.audit.record(records, waitUntil);
    if (this.user && this.changed.size > 0) {
      const changes = CHANGE_KINDS.filter((k) => this.changed.has(k));
      // Unknown without a guarded round trip: look. A round trip that read the sockets flag as 0 committed
      // before any open socket was accepted (decision 032): a notice is owed only if one of them read it set.
      const webhooks = this.activeWebhooks ?? true;
      const sockets = this.realtimeSockets ?? true;
      this.base.notifier.notify({ userId: this.user.id, username: this.user.username, changes, time: this.base.now, webhooks, sockets }, waitUntil);
    }
  }
}

/** Runs one method with its context, recording its outcome and, on success, what it changed. */
async function runMethod<C>(
  scope: RequestScope,
  def: MethodDef & { call: (ctx: C, raw: unknown) => Promise<MethodResult> },
  ctx: C,
  raw: unknown,
  query: Record<string, unknown>,
  place?: AuditPlace,
): Promise<MethodResult> {
  const { audited } = def;
  const settle = def.revokes ? await announceRevocation(scope) : null;
  try {
    const result = await def.call(ctx, raw);
    if (audited) scope.audit(def.id, query, undefined, place);
    scope.noteChanges(def.changes);
    if (result.alsoChanged) scope.noteChanges(result.alsoChanged);
    return result;
  } catch (thrown) {
    // A write the shard's triggers refused because the account is being moved (decision 028).
    const e = abortReason(thrown) === 'account-moving' ? err.accountMoving() : thrown;
    if (audited && !(e instanceof StaleAccessError && e.retryable)) scope.audit(def.id, query, e, place);
    throw e;
  } finally {
    settle?.();
  }
}

/**
 * Before a call that may end or narrow accesses: tells the account's authority, so that replica reads of the
 * account go to the primary until the change is settled with the bookmark after it (decision 026). Settling
 * happens after the response: until then the announcement alone keeps replicas out.
 */
async function announceRevocation(scope: RequestScope): Promise<(() => void) | null> {
  const { authority, request } = scope.base;
  const user = scope.user;
  if (!authority || !user) return null;
  const ticket = await authority.announce({ userId: user.id, username: user.username });
  return () => {
    const session = scope.session;
    const seen = session && !session.replicated ? PRIMARY_NOW : (session?.bookmark() ?? null);
    request.waitUntil(
      authority.settle(user.id, ticket, seen).catch((e: unknown) => console.error('authorization change not settled:', e instanceof Error ? e.message : String(e))),
    );
  };
}

/** A retryable stale-access signal: the request re-runs once, on the primary. */
function recheckOnPrimary(): StaleAccessError {
  const stale = new StaleAccessError();
  stale.retryable = true;
  return stale;
}

/**
 * Whether a replica's answers about this account can be trusted: it must have seen the account's latest
 * authorization change, and none may be in flight. Asked in parallel with the request's own D1 round trip.
 */
function replicaCheck(authority: Authority, userId: string): () => Promise<AuthorityState> {
  const asked = authority.state(userId);
  // Awaited only when the work is done; an early failure must not go unhandled meanwhile.
  asked.catch(() => undefined);
  return () => asked;
}

/**
 * Coalesced bookkeeping after an accepted request: `lastUsed` and the personal session's slide (§5.2), plus
 * the KV copy, so a cached row does not make every request look due for a touch. Never changes `modified`
 * (the request guard compares it).
 */
function scheduleTouch(ctx: AccessContext): void {
  const { access, now } = ctx;
  if (access.lastUsed !== null && now - access.lastUsed < TOUCH_INTERVAL_SECONDS) return;
  const values = { lastUsed: now, sessionExpires: access.type === 'personal' ? now + SESSION_SECONDS : undefined };
  ctx.request.waitUntil(
    Promise.all([
      touchAccess(ctx.db, access.id, values),
      writeCachedAccess(ctx.env, ctx.user.username, ctx.token, ctx.user, {
        ...access,
        ...values,
        sessionExpires: values.sessionExpires ?? access.sessionExpires,
      }),
    ]).catch(() => undefined),
  );
}

/** How a transport finds the access: by token (API, classic share form) or by share code. */
export type AccessLookup = (skipCache: boolean) => Promise<Resolution>;

interface AccessRequest {
  db: () => Db;
  /** The request's D1 session when it may start on a replica (the API); absent: a plain handle on the primary. */
  session?: RequestSession;
  lookup: AccessLookup;
  /** What the first lookup found (the caller needed it to check the user first). */
  first: Resolution;
  token: string;
  /** Extra acceptance rule of the transport (the share page takes live shared accesses only). */
  accept?: (access: Resolved['access']) => boolean;
}

/**
 * Runs `work` under the access: §2.3 token outcomes, then the work with a guarded `ctx.run`, a confirmation
 * of a cached access the work never confirmed, the touch, and one re-run from D1 if the cached access turns
 * out stale before anything was written.
 */
async function withAccess<R>(scope: RequestScope, req: AccessRequest, headers: CallHeaders, work: (ctx: AccessContext) => Promise<R>): Promise<R> {
  const attempt = async ({ resolved, fromCache }: Resolution): Promise<R> => {
    const { authority } = scope.base;
    const lagging = req.session?.mayLag === true && authority !== undefined;
    // A replica's refusal may only mean it has not seen the access yet: the primary confirms it.
    const refuse = (e: ApiError): ApiError => (lagging ? recheckOnPrimary() : e);
    if (!resolved) throw refuse(err.unknownToken());
    const fresh = lagging ? replicaCheck(authority, resolved.user.id) : null;
    const { now } = scope.base;
    if (resolved.access === null) throw refuse(err.unknownToken());
    const access = resolved.access;
    try {
      requireLiveAccess(access, now);
      if (req.accept && !req.accept(access)) throw err.unknownToken();
    } catch (e) {
      throw e instanceof ApiError ? refuse(e) : e;
    }
    scope.accessId = wireAccessId(access);
    headers['Pryv-Access-Id'] = scope.accessId;
    try {
      requireNotExpired(access, now);
    } catch (e) {
      throw e instanceof ApiError ? refuse(e) : e;
    }
    // Before answering (or refusing) from a replica: had it seen the account's latest authorization change?
    const confirmFresh = async () => {
      if (!fresh || !req.session) return;
      // An authority that cannot answer proves nothing: the primary decides (slower, never wrong).
      const state = await fresh().catch(() => null);
      if (state && !state.pending && covers(req.session.bookmark(), state.bookmark)) return;
      throw recheckOnPrimary();
    };
    // A StaleAccessError is retryable while no guarded round trip of this request has succeeded: nothing was written.
    const state = { guarded: false, streamsVersion: 0 };
    const ctx: AccessContext = {
      ...scope.base,
      db: req.db(),
      user: resolved.user,
      access,
      token: req.token,
      permissions: new Permissions(access.type, parseJson<Permission[]>(access.permissions, [])),
      run: async (statements) => {
        // A bare confirmation (`run([])`) adds nothing once this request's access was confirmed: in a batch of
        // 1,000 calls it would cost 1,000 round trips.
        if (statements.length === 0 && state.guarded) return { streamsVersion: state.streamsVersion, results: [] as never };
        try {
          const { activeWebhooks, realtimeSockets, ...out } = await runGuarded(ctx.db, access, now, statements, scope.readOnly);
          state.guarded = true;
          state.streamsVersion = out.streamsVersion;
          scope.noteGuard({ activeWebhooks, realtimeSockets });
          return out;
        } catch (e) {
          if (e instanceof StaleAccessError) e.retryable = !state.guarded;
          // Moved away between two round trips of this request: nothing to re-run, the client retries.
          if (e instanceof StaleAccessError && e.accountMoved && state.guarded) throw err.accountMoving();
          throw e;
        }
      },
      callMethod: (methodId, params, run) => runNested(scope, { ...ctx, now: Date.now() / 1000, run: run ?? ctx.run }, methodId, params),
    };
    let result: R;
    try {
      result = await work(ctx);
    } catch (e) {
      await confirmFresh();
      if (e instanceof StaleAccessError) throw e;
      // An error decided on a cached access alone (bad params, wrong access type) could tell a revoked
      // token's holder more than "unknown token": confirm the access first. The token was accepted: touch.
      if (fromCache && !state.guarded) await ctx.run([]);
      scheduleTouch(ctx);
      throw e;
    }
    // A cached access whose call never reached D1 (empty batch, say) is confirmed before answering.
    if (fromCache && !state.guarded) await ctx.run([]);
    await confirmFresh();
    scheduleTouch(ctx);
    return result;
  };
  try {
    return await attempt(req.first);
  } catch (e) {
    if (!(e instanceof StaleAccessError) || !e.retryable) throw e;
    // The access changed since it was read (a stale cache entry, a race, a replica behind): drop it, re-read
    // D1 on the primary, re-run once.
    req.session?.toPrimary();
    scope.restart();
    scope.accessId = null;
    delete headers['Pryv-Access-Id'];
    return attempt(await req.lookup(true));
  }
}

/** A call made from inside another (`callBatch`): only batchable access methods; refusals are the call's own errors. */
function runNested(scope: RequestScope, ctx: AccessContext, methodId: string, params: unknown): Promise<MethodResult> {
  const def = METHODS.get(methodId);
  let refusal: ApiError | null = null;
  if (REMOVED_METHOD_IDS.has(methodId)) refusal = err.removed(methodId);
  else if (UNSHIPPED_METHOD_IDS.has(methodId)) refusal = err.unavailable(methodId);
  else if (!def || !def.batch || def.auth !== 'access') refusal = new ApiError('invalid-method', `Method "${methodId}" cannot be called in a batch.`);
  if (refusal) {
    scope.audit(methodId, {}, refusal);
    return Promise.reject(refusal);
  }
  // Batch params are the call's body: nothing of them is audited. Records keep the calls' order.
  return runMethod(scope, def as AccessMethod, ctx, params, {}, scope.reserve());
}

/** The D1 lookup of a user and token, KV and isolate memory first (decision 003); no database: no account. */
export function tokenLookup(base: PublicContext, db: () => Db | Promise<Db | null>, username: string, token: string | undefined): AccessLookup {
  return async (skipCache) => {
    if (skipCache && token) await forgetAccess(base.env, username, token).catch(() => undefined);
    const database = await db();
    if (!database) return { resolved: null, fromCache: false };
    return resolveRequest(base.env, database, username, token, base.now, base.request.waitUntil, { skipCache });
  };
}

/** Whether a lookup found the account on the session's shard, which still holds it. */
const holdsAccount = (found: Resolution): boolean => found.resolved !== null && found.resolved.user.moving !== 'moved';

/**
 * The lookup of a user root's account and token on the request's session. A "no" is decided by the primary of
 * the shard the directory names: a replica may not know an account registered a moment ago (decision 025), and a
 * cached placement may name the shard an account was moved from (decision 028), which then sends the session to
 * the account's new shard. An account whose move is not switched yet answers 503 `account-moving`.
 */
function accountLookup(base: PublicContext, session: RequestSession, username: string, token: string | undefined): AccessLookup {
  const onShard = tokenLookup(base, () => session.db, username, token);
  return async (skipCache) => {
    let found = await onShard(skipCache);
    if (holdsAccount(found)) return found;
    if (session.mayLag) {
      session.toPrimary();
      found = await onShard(skipCache);
      if (holdsAccount(found)) return found;
    }
    const moved = await relocate(base.env, username, session.shard.name, base.request.waitUntil);
    if (moved) {
      session.moveTo(moved);
      return onShard(true);
    }
    if (found.resolved !== null) throw err.accountMoving();
    return found;
  };
}

/** The account of a user root and the first lookup of the token: 404 for an unknown user comes first (§2.1). */
async function openUser(scope: RequestScope, base: PublicContext, username: string, token: string | undefined, start: SessionStart) {
  if (!isValidUsername(username)) throw err.unknownResource(MESSAGES.unknownUser(username));
  const shard = await locate(base.env, username, base.request.waitUntil);
  if (!shard) throw err.unknownResource(MESSAGES.unknownUser(username));
  const session = new RequestSession(shard, start, base.config.readReplication);
  scope.session = session;
  const lookup = accountLookup(base, session, username, token);
  const first = await lookup(false);
  if (!first.resolved) throw err.unknownResource(MESSAGES.unknownUser(username));
  scope.user = first.resolved.user;
  return { session, lookup, first, user: first.resolved.user };
}

/**
 * Where a call's D1 session starts (decision 025): reads at the client's bookmark or the nearest replica,
 * anything that may write on the primary. On the primary too without an authority to check replicas against,
 * and when the shards have no read replicas: a replica-started session would reach the primary anyway, and
 * asking the authority would only cost each read a call to the account's object (decision 033); there the
 * request opens no session at all (decision 039).
 */
function sessionStart(base: PublicContext, call: { readOnly?: boolean; bookmark?: string }): SessionStart {
  if (call.bookmark !== undefined && !isBookmark(call.bookmark)) {
    throw err.requestStructure(`Invalid "${BOOKMARK_HEADER}" header: send back a value this API returned in it.`);
  }
  if (!call.readOnly || !base.authority || !base.config.readReplication) return FIRST_PRIMARY;
  return call.bookmark !== undefined ? { bookmark: call.bookmark } : FIRST_UNCONSTRAINED;
}

/** The request's bookmark goes back to the client, whatever the outcome. */
function sendBookmark(scope: RequestScope, headers: CallHeaders): void {
  const bookmark = scope.session?.bookmark();
  if (bookmark) headers[BOOKMARK_HEADER] = bookmark;
}

/**
 * Everything under a user root U: user check first (404), then the route's refusal, then the token, then
 * the method (§2.1, §2.14). Throws the call's ApiError; the transport turns it into its own answer.
 */
export async function callUserMethod(base: PublicContext, call: UserCall, headers: CallHeaders): Promise<MethodResult> {
  const scope = new RequestScope(base, call.username, call.source);
  scope.readOnly = call.readOnly === true;
  try {
    const def = call.methodId === undefined ? undefined : METHODS.get(call.methodId);
    const readToken = def?.auth === 'access' && def.readTokenParam && call.token === undefined ? call.readToken : undefined;
    if (readToken) {
      const shard = isValidUsername(call.username) ? await locate(base.env, call.username, base.request.waitUntil) : null;
      if (!shard) throw err.unknownResource(MESSAGES.unknownUser(call.username));
      return await withReadToken(scope, call, def as AccessMethod, shard, readToken, headers);
    }
    const token = def?.auth === 'access' ? call.token : undefined;
    const { session, lookup, first, user } = await openUser(scope, base, call.username, token, sessionStart(base, call));
    if (call.routeError) throw call.routeError;
    if (!def) throw err.unavailable(call.methodId ?? 'This method');
    if (def.auth === 'public') return await runMethod(scope, def, base, await call.params(), call.query);
    if (def.auth === 'user') {
      const userCtx: UserContext = { ...base, db: session.db, user };
      return await runMethod(scope, def, userCtx, await call.params(), call.query);
    }
    if (call.token === undefined) throw err.missingToken();
    const request: AccessRequest = { db: () => session.db, session, lookup, first, token: call.token };
    return await withAccess(scope, request, headers, accessWork(scope, def, call));
  } catch (e) {
    // Refusals decided before the method ran (unknown user, route, token) are calls too, for audit.
    if (!scope.wasRecorded(e)) scope.audit(call.methodId ?? null, call.query, e);
    throw e;
  } finally {
    sendBookmark(scope, headers);
    scope.finish();
  }
}

/**
 * The work of an access call: validate and run the method on the params (read once, even if the call is re-run
 * after a stale access). A multipart call's files are staged first, under an upload that is discarded if the
 * call fails (the method's own batch attaches them when it succeeds; decision 017).
 */
function accessWork(scope: RequestScope, def: AccessMethod, call: UserCall): (ctx: AccessContext) => Promise<MethodResult> {
  const readFiles = def.files ? call.files : undefined;
  if (!readFiles) {
    let input: Promise<unknown> | undefined;
    const params = () => (input ??= call.params());
    return async (ctx) => runMethod(scope, def, ctx, await params(), call.query);
  }
  return async (ctx) => {
    const uploads = new Uploads(ctx);
    // Journaled in a guarded round trip before the body is read: a stale access is re-run with nothing consumed.
    await uploads.open();
    try {
      const raw = await readFiles({ stage: uploads.stage, result: () => uploads.result() });
      return await runMethod(scope, def, ctx, raw, call.query);
    } catch (e) {
      await uploads.discard();
      throw e;
    }
  };
}

/**
 * A download authorized by a `readToken` (§5.5): the access it names is read from D1 and the call then runs
 * exactly as with that access's token (guard, touch, audit), so it stops working the moment the access is
 * deleted or no longer sees the event.
 */
async function withReadToken(
  scope: RequestScope,
  call: UserCall,
  def: AccessMethod,
  located: Shard,
  readToken: { value: string; fileId: string },
  headers: CallHeaders,
): Promise<MethodResult> {
  const { env, request } = scope.base;
  let shard = located;
  const onShard = () => resolveReadToken(env, shard.db, call.username, readToken.fileId, readToken.value);
  // As for tokens: a shard that does not hold the account (any more) sends the request to the directory.
  const resolve = async () => {
    const found = await onShard();
    if (found && found.resolved?.user.moving !== 'moved') return found;
    const moved = await relocate(env, call.username, shard.name, request.waitUntil);
    if (!moved) return found;
    shard = moved;
    return onShard();
  };
  const first = await resolve();
  if (!first) throw err.unknownResource(MESSAGES.unknownUser(call.username));
  scope.user = first.resolved!.user;
  if (call.routeError) throw call.routeError;
  const lookup: AccessLookup = async () => (await resolve()) ?? { resolved: null, fromCache: false };
  return withAccess(scope, { db: () => shard.db, lookup, first, token: first.token }, headers, accessWork(scope, def, call));
}

/** A method call received on a socket (Socket.IO `emit(methodId, params, ack)`, §5.14). */
export interface SocketCall {
  username: string;
  token: string;
  methodId: string;
  params: unknown;
}

/**
 * Runs a socket's method call exactly like an HTTP one: the token is resolved and the access re-checked by
 * the request guard on every call, so a revoked access cannot act through a socket opened before. Only what
 * a batch may call is callable (plus `callBatch` itself); anything else answers `invalid-method` like a batch.
 */
export function callOverSocket(base: PublicContext, call: SocketCall): Promise<MethodResult> {
  const { methodId } = call;
  const def = METHODS.get(methodId);
  let routeError: ApiError | undefined;
  if (REMOVED_METHOD_IDS.has(methodId)) routeError = err.removed(methodId);
  else if (UNSHIPPED_METHOD_IDS.has(methodId)) routeError = err.unavailable(methodId);
  else if (!def || def.auth !== 'access' || !(def.batch || def.id === 'callBatch')) {
    routeError = new ApiError('invalid-method', `Method "${methodId}" cannot be called over a socket.`);
  }
  // Socket params are the call's body, like batch params: nothing of them is audited.
  const userCall: UserCall = { username: call.username, methodId, routeError, token: call.token, params: async () => call.params, query: {}, source: 'websocket' };
  return callUserMethod(base, userCall, {});
}

/** Opening something under an access outside the method table (a real-time socket), as audit names it. */
export interface AccessOpening {
  username: string;
  token: string | undefined;
  /** The audit record's method id, e.g. `notifications.open`. */
  action: string;
  query: Record<string, unknown>;
  source: AuditRecord['source']['name'];
}

/**
 * Runs `work` under the access of a token presented to a user root, outside the method table (opening a
 * real-time socket): the same user check, token outcomes, confirmation of a cached access, touch, retry and
 * audit as a method call. Throws the same ApiErrors as `callUserMethod`.
 */
export async function withUserAccess<R>(base: PublicContext, opening: AccessOpening, headers: CallHeaders, work: (ctx: AccessContext) => Promise<R>): Promise<R> {
  const scope = new RequestScope(base, opening.username, opening.source);
  scope.readOnly = true;
  try {
    const { session, lookup, first } = await openUser(scope, base, opening.username, opening.token, FIRST_PRIMARY);
    if (opening.token === undefined) throw err.missingToken();
    const result = await withAccess(scope, { db: () => session.db, session, lookup, first, token: opening.token }, headers, work);
    scope.audit(opening.action, opening.query);
    return result;
  } catch (e) {
    if (!scope.wasRecorded(e)) scope.audit(opening.action, opening.query, e);
    throw e;
  } finally {
    scope.finish();
  }
}

/** A method that needs no account (service info, registration): validated and run, nothing to resolve. */
export async function callPublicMethod(base: PublicContext, methodId: string, raw: unknown): Promise<MethodResult> {
  const def = METHODS.get(methodId);
  if (!def || def.auth !== 'public') throw err.unavailable(methodId);
  return def.call(base, raw);
}

/**
 * Reads for a page rendered under an access (the share page): the same resolution, guard, retry, touch,
 * audit and notices as the API. `null` when the access cannot be used (the page's refusal is a plain 404).
 */
export async function withPageAccess<R>(
  base: PublicContext,
  target: { token: string; lookup: (skipCache: boolean) => Promise<Resolution>; accept: (access: Resolved['access']) => boolean },
  work: (ctx: AccessContext) => Promise<R>,
): Promise<R | null> {
  const first = await target.lookup(false);
  if (!first.resolved) return null;
  const scope = new RequestScope(base, first.resolved.user.username, 'http');
  scope.readOnly = true;
  try {
    scope.user = first.resolved.user;
    const { username } = first.resolved.user;
    let shard = await locate(base.env, username, base.request.waitUntil);
    if (!shard) return null;
    // The re-run after a refused cached access asks the directory too: the account may have moved (decision 028).
    const lookup = async (skipCache: boolean) => {
      if (skipCache) shard = (await locateFresh(base.env, username, base.request.waitUntil)) ?? shard;
      return target.lookup(skipCache);
    };
    return await withAccess(scope, { db: () => shard!.db, lookup, first, token: target.token, accept: target.accept }, {}, work);
  } catch (e) {
    if (e instanceof ApiError && (e.id === 'invalid-access-token' || e.id === 'forbidden')) return null;
    throw e;
  } finally {
    scope.finish();
  }
}
