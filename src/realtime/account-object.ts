/**
 * One Durable Object per account, addressed by the user id: it holds the account's real-time sockets (plain
 * channel and Socket.IO) with the WebSocket Hibernation API, receives the account's change notices, and
 * fans them out. Everything it must remember about a socket is the socket's attachment, so the object can be
 * evicted between two frames. See docs/decisions/016-account-durable-object.md.
 */
import { DurableObject } from 'cloudflare:workers';
import * as v from 'valibot';
import { meta } from '../core/envelope';
import { isExpired } from '../auth/access-rules';
import { unsealToken } from '../auth/crypto';
import { tokenKey } from '../auth/session';
import { baseContext } from '../calls/base-context';
import { callOverSocket } from '../calls/call-path';
import { readConfig } from '../config';
import type { PublicContext } from '../core/context';
import { ApiError, err, toApiError, type ErrorBody } from '../core/errors';
import { CHANGE_KINDS, type ChangeKind } from '../core/notices';
import { collectPayload } from '../core/payload';
import type { Env } from '../env';
import { BATCH_RESULT_LIMIT } from '../methods/batch';
import { selectAccessStates, type AccessState } from '../storage/accesses';
import type { AuthorityState, SettledAt } from '../core/authority';
import { AuthorityStore, localAuthority, type AuthorityHolder } from './account-authority';
import { dbFor } from '../storage/directory';
import { abortReason } from '../storage/d1-errors';
import { decodeEngine, encodeEngine, NOOP, openPacket, PING, PONG, ProtocolError, type OpenData } from './engine-io';
import { CHANGE_MESSAGES, eventFrame, namespaceUser, plainFrame, socketFrame } from './messages';
import { decodeSocket, type SocketPacket } from './socket-io';
import { CLOSE, tryClose, trySend } from './sockets';
import { deadline, OPENING_HEADER, openingSchema, type SocketState } from './socket-state';
import { SocketsFlag, type FlagAccount } from './sockets-flag';

/** Notices arriving within this window of the last push are merged into one push at its end (§5.14). */
export const MERGE_WINDOW_MS = 100;
/** Engine.IO heartbeat, the reference server's defaults: a ping every 25 s, answered within 20 s. */
export const PING_INTERVAL_MS = 25_000;
export const PING_TIMEOUT_MS = 20_000;
/** Largest frame a client may send (Socket.IO's own default `maxPayload`): a larger one closes the socket. */
export const MAX_FRAME_BYTES = 1_000_000;
/** After a failed write of the sockets flag (an account being moved, D1 unavailable), the next try (decision 032). */
export const FLAG_RETRY_MS = 30_000;
/** Storage key of a pending retry of the sockets flag: the account it is for (survives eviction, like the alarm). */
const FLAG_RETRY_KEY = 'socketsFlagRetry';
/** One UTF-16 unit encodes to at most 3 UTF-8 bytes: shorter strings need no encoding to be measured. */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/** Tags name each socket's access, so revocation finds an access's sockets without reading every attachment. */
const accessTag = (accessId: string) => `access:${accessId}`;

export const engineOpenData = (sid: string): OpenData => ({
  sid,
  upgrades: [],
  pingInterval: PING_INTERVAL_MS,
  pingTimeout: PING_TIMEOUT_MS,
  maxPayload: MAX_FRAME_BYTES,
});

function frameTooBig(frame: string | ArrayBuffer): boolean {
  if (typeof frame !== 'string') return frame.byteLength > MAX_FRAME_BYTES;
  if (frame.length > MAX_FRAME_BYTES) return true;
  return frame.length * MAX_UTF8_BYTES_PER_UNIT > MAX_FRAME_BYTES && new TextEncoder().encode(frame).byteLength > MAX_FRAME_BYTES;
}

/**
 * What the account objects of this isolate did since it started: constructions (first use, or a wake after
 * hibernation or eviction) and each kind of event handled. The benchmark reads it to show that idle sockets
 * wake nothing; it costs a few increments.
 */
const activity = { constructions: 0, upgrades: 0, frames: 0, alarms: 0, notices: 0 };

export class AccountObject extends DurableObject<Env> implements AuthorityHolder {
  /** Kinds waiting for the end of the merge window, and when the last push went out (lost on eviction: harmless). */
  private readonly pending = new Set<ChangeKind>();
  /** Events this instance handled: none means it was constructed for the benchmark's reading itself. */
  private handled = 0;
  /** Change notices this instance received (the isolate's `activity.notices` counts those of every account). */
  private noticesHere = 0;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private lastPush = 0;
  /** The account's authorization authority for replica reads (decision 026). */
  private readonly authority: AuthorityStore;
  /** The account's `realtime_sockets` flag in D1, set before the first socket is accepted (decision 032). */
  private readonly flag: SocketsFlag;
  /** Upgrades between "flag set" and "socket accepted": they count as open sockets for the flag and the cap. */
  private openings = 0;
  /** The account this object serves, once an event named it (the object is addressed by user id only). */
  private account: FlagAccount | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.authority = new AuthorityStore(ctx.storage, env);
    this.flag = new SocketsFlag(env, () => this.openings > 0 || this.ctx.getWebSockets().some((ws) => ws.readyState === WebSocket.OPEN));
    activity.constructions += 1;
    // Socket.IO clients answer each ping with a pong: the runtime answers that with a no-op packet itself,
    // so heartbeats never wake the object. (WebSocket protocol pings are answered by the runtime anyway.)
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PONG, NOOP));
  }

  private state(ws: WebSocket): SocketState {
    return ws.deserializeAttachment() as SocketState;
  }

  private noteAccount(state: SocketState): void {
    this.account ??= { userId: state.userId, username: state.username };
  }

  /** An upgrade handed over by the Worker once the token was accepted (src/realtime/upgrade.ts). */
  override async fetch(request: Request): Promise<Response> {
    activity.upgrades += 1;
    this.handled += 1;
    let opening;
    try {
      opening = v.parse(openingSchema, JSON.parse(request.headers.get(OPENING_HEADER) ?? 'null'));
    } catch {
      return new Response('Bad opening', { status: 400 });
    }
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') return new Response('Upgrade required', { status: 426 });
    const limit = readConfig(this.env).realtimeMaxSockets;
    if (this.ctx.getWebSockets().length + this.openings >= limit) {
      return this.refusal(new ApiError('too-many-attempts', `This account already has ${limit} open real-time sockets.`, { limit }));
    }
    const { state, handedOff } = opening;
    this.noteAccount(state);
    const account = { userId: state.userId, username: state.username };
    // The flag is set before the socket exists: a write whose request guard read it as 0 committed before this
    // socket was accepted, so it owes the socket nothing (decision 032). Counted from here, a close racing this
    // opening writes 1, not 0.
    this.openings += 1;
    try {
      await this.flag.sync(account);
    } catch (e) {
      this.openings -= 1;
      console.error('real-time sockets flag not set:', e instanceof Error ? e.message : String(e));
      await this.settleFlag();
      // Never a socket the writes would not notify: an account being moved (0010's triggers refuse the write) or
      // an unreachable database refuses the opening.
      return this.refusal(
        abortReason(e) === 'account-moving'
          ? err.accountMoving()
          : new ApiError('api-unavailable', 'Real-time notifications are unavailable for this account right now: retry shortly.'),
      );
    }
    try {
      const [client, server] = Object.values(new WebSocketPair());
      this.ctx.acceptWebSocket(server, [accessTag(state.accessId)]);
      server.serializeAttachment(state);
      if (state.protocol === 'socketio' && !handedOff) server.send(openPacket(engineOpenData(state.sid)));
      await this.scheduleAlarm();
      return new Response(null, { status: 101, webSocket: client });
    } finally {
      this.openings -= 1;
    }
  }

  /** An opening refused by the object, as the Worker relays it (`openOnObject`): the API's JSON error, its headers. */
  private refusal(error: ApiError): Response {
    return new Response(JSON.stringify({ error: error.toBody(), meta: meta(readConfig(this.env)) }), {
      status: error.status,
      headers: { 'Content-Type': 'application/json; charset=utf-8', ...error.headers },
    });
  }

  /**
   * Brings the sockets flag to the current state after sockets closed (or an opening failed): cleared when none is
   * open any more. A failed write leaves the flag set, which costs writes only their forwarded notice; it is retried
   * by the alarm (`FLAG_RETRY_MS`), the account kept in storage so that an evicted object still retries.
   */
  private async settleFlag(account: FlagAccount | null = this.account): Promise<void> {
    if (!account) return;
    try {
      await this.flag.sync(account);
      await this.ctx.storage.delete(FLAG_RETRY_KEY);
    } catch (e) {
      console.error('real-time sockets flag not settled:', e instanceof Error ? e.message : String(e));
      await this.ctx.storage.put(FLAG_RETRY_KEY, account);
      await this.scheduleAlarm();
    }
  }

  /**
   * The isolate's activity counters, this account's open sockets and the notices this instance received, for the
   * benchmark and the tests. Reading them wakes a hibernated object: `wokenToRead` says this instance was
   * constructed for the reading.
   */
  async activity(): Promise<typeof activity & { sockets: number; wokenToRead: boolean; noticesHere: number }> {
    return { ...activity, sockets: this.ctx.getWebSockets().length, wokenToRead: this.handled === 0, noticesHere: this.noticesHere };
  }

  authorityAnnounce(username: string): Promise<string> {
    this.handled += 1;
    return this.authority.announce(username);
  }

  authoritySettle(ticket: string, seen: SettledAt): Promise<void> {
    this.handled += 1;
    return this.authority.settle(ticket, seen);
  }

  authorityState(): Promise<AuthorityState> {
    this.handled += 1;
    return this.authority.state();
  }

  /** The change feed's entry (RPC from the Worker that served the write, or from this object's own calls). */
  async notify(changes: readonly ChangeKind[]): Promise<void> {
    activity.notices += 1;
    this.noticesHere += 1;
    this.handled += 1;
    if (this.ctx.getWebSockets().length === 0) return;
    for (const kind of changes) this.pending.add(kind);
    // Access changes may revoke or update the accesses of open sockets: read them before pushing.
    if (changes.includes('accesses')) await this.recheckAccesses();
    this.schedulePush();
  }

  /** Pushes at once when the last push is older than the merge window, else once at the window's end. */
  private schedulePush(): void {
    if (this.flushTimer !== null) return;
    const wait = this.lastPush + MERGE_WINDOW_MS - Date.now();
    if (wait <= 0) return this.push();
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.push();
    }, wait);
  }

  private push(): void {
    const kinds = CHANGE_KINDS.filter((k) => this.pending.has(k));
    this.pending.clear();
    if (kinds.length === 0) return;
    this.lastPush = Date.now();
    const plain = plainFrame(kinds, meta(readConfig(this.env)));
    for (const ws of this.ctx.getWebSockets()) {
      const state = this.state(ws);
      if (state.protocol === 'plain') trySend(ws, plain);
      else if (state.nsp !== null) for (const kind of kinds) trySend(ws, eventFrame(state.nsp, CHANGE_MESSAGES[kind]));
    }
  }

  /**
   * Re-reads the accesses of the open sockets (one query): sockets of a deleted access, an ended session or an
   * expired access close at once; sockets of an updated access get `accessUpdated` (Socket.IO).
   */
  private async recheckAccesses(only?: ReadonlySet<string>): Promise<void> {
    const sockets = this.ctx.getWebSockets().map((ws) => ({ ws, state: this.state(ws) }));
    const targets = only ? sockets.filter((s) => only.has(s.state.accessId)) : sockets;
    if (targets.length === 0) return;
    const { userId, username } = targets[0].state;
    const ids = [...new Set(targets.map((s) => s.state.accessId))];
    const db = await dbFor(this.env, username);
    const rows = new Map((db ? await selectAccessStates(db, userId, ids) : []).map((r) => [r.id, r]));
    const now = Date.now() / 1000;
    let revoked = false;
    for (const { ws, state } of targets) {
      const row = rows.get(state.accessId);
      const refusal = refusalOf(row, state, now);
      if (refusal) {
        this.revoke(ws, state, refusal);
        revoked = true;
      } else if (row && row.modified !== state.modified) {
        ws.serializeAttachment({ ...state, modified: row.modified, expires: row.expires, sessionExpires: row.sessionExpires });
        if (state.protocol === 'socketio' && state.nsp !== null) trySend(ws, eventFrame(state.nsp, 'accessUpdated'));
      } else if (row && row.sessionExpires !== state.sessionExpires && state.sessionExpires !== null) {
        // A personal session slid: only the deadline moves.
        ws.serializeAttachment({ ...state, sessionExpires: row.sessionExpires });
      }
    }
    this.noteAccount(targets[0].state);
    await this.scheduleAlarm();
    if (revoked) await this.settleFlag();
  }

  /** Closes a socket whose access can no longer be used: 4403 on the plain channel, an error and a disconnect on Socket.IO. */
  private revoke(ws: WebSocket, state: SocketState, refusal: ApiError): void {
    if (state.protocol === 'plain') return tryClose(ws, CLOSE.revoked, 'forbidden');
    if (state.nsp !== null) {
      trySend(ws, eventFrame(state.nsp, 'error', refusal.toBody()));
      trySend(ws, socketFrame({ type: 'disconnect', nsp: state.nsp }));
    }
    tryClose(ws, CLOSE.normal, 'access revoked');
  }

  /** Heartbeats for Socket.IO sockets and the deadlines of expiring accesses and sessions, on one alarm. */
  override async alarm(): Promise<void> {
    activity.alarms += 1;
    this.handled += 1;
    const retry = await this.ctx.storage.get<FlagAccount>(FLAG_RETRY_KEY);
    if (retry) await this.settleFlag(retry);
    const now = Date.now() / 1000;
    const due = new Set<string>();
    for (const ws of this.ctx.getWebSockets()) {
      const state = this.state(ws);
      if (state.protocol === 'socketio') trySend(ws, PING);
      const end = deadline(state);
      if (end !== null && end <= now) due.add(state.accessId);
    }
    // Expiry can be lifted and sessions slide: the database decides.
    if (due.size > 0) await this.recheckAccesses(due);
    else await this.scheduleAlarm();
  }

  /**
   * The next heartbeat when a Socket.IO socket is open, or the earliest deadline, or a pending retry of the sockets
   * flag, whichever comes first.
   */
  private async scheduleAlarm(): Promise<void> {
    let next = (await this.ctx.storage.get(FLAG_RETRY_KEY)) === undefined ? Infinity : Date.now() + FLAG_RETRY_MS;
    for (const ws of this.ctx.getWebSockets()) {
      // A socket being closed (its close handler runs this) needs no heartbeat or deadline any more.
      if (ws.readyState !== WebSocket.OPEN) continue;
      const state = this.state(ws);
      if (state.protocol === 'socketio') next = Math.min(next, Date.now() + PING_INTERVAL_MS);
      const end = deadline(state);
      if (end !== null) next = Math.min(next, end * 1000);
    }
    if (next === Infinity) return this.ctx.storage.deleteAlarm();
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next || current < Date.now()) await this.ctx.storage.setAlarm(next);
  }

  override async webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    activity.frames += 1;
    this.handled += 1;
    const state = this.state(ws);
    this.noteAccount(state);
    if (frameTooBig(frame)) {
      tryClose(ws, CLOSE.tooBig, 'frame too large');
      return this.rescheduleSoon();
    }
    // Client frames on the plain channel carry nothing (§5.14).
    if (state.protocol === 'plain') return;
    try {
      await this.onEngineFrame(ws, state, frame);
    } catch (e) {
      // A malformed frame ends the socket; nothing a client sends may throw out of the object.
      if (!(e instanceof ProtocolError)) console.error('socket frame failed:', e instanceof Error ? e.message : String(e));
      tryClose(ws, CLOSE.protocolError, e instanceof ProtocolError ? `protocol error: ${e.message}` : 'protocol error');
      await this.rescheduleSoon();
    }
  }

  private async onEngineFrame(ws: WebSocket, state: SocketState, frame: string | ArrayBuffer): Promise<void> {
    const packet = decodeEngine(frame);
    switch (packet.type) {
      case 'message':
        return this.onSocketPacket(ws, state, decodeSocket(packet.data));
      case 'ping':
        // Only the upgrade probe pings from the client; answer it as Engine.IO does.
        return trySend(ws, encodeEngine({ type: 'pong', data: packet.data }));
      case 'close':
        tryClose(ws, CLOSE.normal, 'client close');
        return this.rescheduleSoon();
      case 'pong':
      case 'noop':
      case 'upgrade':
        return;
      case 'open':
        throw new ProtocolError('a client does not send an open packet');
    }
  }

  private async onSocketPacket(ws: WebSocket, state: SocketState, packet: SocketPacket): Promise<void> {
    if (packet.type === 'connect') {
      if (namespaceUser(packet.nsp) !== state.username) {
        return trySend(ws, socketFrame({ type: 'connect_error', nsp: packet.nsp, data: { message: 'Invalid namespace' } }));
      }
      ws.serializeAttachment({ ...state, nsp: packet.nsp });
      return trySend(ws, socketFrame({ type: 'connect', nsp: packet.nsp, data: { sid: state.sid } }));
    }
    // Packets for a namespace the socket did not join are dropped, as the reference server does.
    if (packet.nsp !== state.nsp) return;
    if (packet.type === 'disconnect') {
      // Closed from this side: the runtime may not report the close back, so the alarm is re-planned here.
      tryClose(ws, CLOSE.normal, 'namespace left');
      return this.rescheduleSoon();
    }
    // Only the server asks for acks in reply to its events, and it never does.
    if (packet.type !== 'event') return;
    const [methodId, ...args] = packet.data;
    const answer = await this.runCall(state, methodId, args.length > 0 ? args[0] : {});
    if (packet.id !== undefined) trySend(ws, socketFrame({ type: 'ack', nsp: packet.nsp, id: packet.id, data: answer }));
  }

  /** One method call through the call path, answered as the reference does: `[error]` or `[null, result]`. */
  private async runCall(state: SocketState, methodId: string, params: unknown): Promise<[ErrorBody] | [null, Record<string, unknown>]> {
    const config = readConfig(this.env);
    try {
      const token = state.sealedToken === null ? null : await unsealToken(tokenKey(this.env), state.sealedToken);
      if (token === null) throw err.unknownToken();
      const result = await callOverSocket(this.contextFor(state), { username: state.username, token, methodId, params });
      const payload = await collectPayload(result.payload, BATCH_RESULT_LIMIT);
      return [null, { ...payload, meta: meta(config) }];
    } catch (e) {
      const error = toApiError(e);
      if (error.status >= 500) console.error('socket call failed:', e instanceof Error ? e.message : String(e));
      return [error.toBody()];
    }
  }

  /** The call path's context for a call made on a socket: its own notices come straight back here. */
  private contextFor(state: SocketState): PublicContext {
    const waitUntil = (p: Promise<unknown>) => this.ctx.waitUntil(p);
    const base = baseContext(this.env, { baseUrl: state.baseUrl, host: new URL(state.baseUrl).host, origin: '', ip: state.ip, waitUntil });
    return {
      ...base,
      authority: localAuthority(this),
      notifier: {
        notify: (notice, wait) => {
          base.notifier.notify(notice, wait);
          wait(this.notify(notice.changes));
        },
      },
    };
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Completes the closing handshake, drops a heartbeat or deadline alarm no open socket needs (the object is
    // awake for this event anyway; a stale alarm would wake it later), and clears the sockets flag after the last.
    this.noteAccount(this.state(ws));
    tryClose(ws, code, reason);
    await this.rescheduleSoon();
  }

  /**
   * Many sockets closing together re-plan the alarm and settle the sockets flag once, not once each (each plan
   * reads every attachment).
   */
  private rescheduling: Promise<void> | null = null;
  private rescheduleSoon(): Promise<void> {
    this.rescheduling ??= new Promise((resolve) => setTimeout(resolve, 0)).then(async () => {
      this.rescheduling = null;
      await this.scheduleAlarm();
      await this.settleFlag();
    });
    return this.rescheduling;
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.noteAccount(this.state(ws));
    tryClose(ws, CLOSE.normal, 'error');
    await this.rescheduleSoon();
  }
}

/** Why a socket's access can no longer be used, judged on its current row; null while it can. */
function refusalOf(row: AccessState | undefined, state: SocketState, now: number): ApiError | null {
  if (!row || row.deleted !== null || row.tokenHash === null || row.tokenHash !== state.tokenHash) return err.unknownToken();
  if (row.sessionExpires !== null && state.sessionExpires !== null && row.sessionExpires < now) return err.unknownToken();
  if (isExpired(row, now)) return err.expired();
  return null;
}
