/**
 * The Worker's side of the real-time channels (§5.14): it accepts the token through the call path, then hands
 * the upgrade to the account's object, which holds the socket from then on.
 *
 * - Plain channel, `GET U/notifications`: the token is checked before the upgrade; failures are JSON answers.
 * - Socket.IO, `/socket.io/`: the account is named by the namespace, which the client only sends after the
 *   Engine.IO handshake. When the URL already names the user (subdomain mode, `U/socket.io/`), the token is
 *   checked first and the upgrade goes straight to the object. In path mode the Worker answers the handshake
 *   itself, reads the namespace, checks the token, then relays frames to the object for the socket's life
 *   (decision 016 says what that costs). Refusals are Socket.IO connect errors, as the client expects.
 */
import { withUserAccess } from '../calls/call-path';
import type { PublicContext } from '../core/context';
import { ApiError, err, toApiError, type ErrorId } from '../core/errors';
import { newId } from '../lib/ids';
import { accountObject } from './account-notifier';
import { engineOpenData } from './account-object';
import { decodeEngine, ENGINE_ERRORS, ENGINE_IO_VERSION, openPacket, ProtocolError } from './engine-io';
import { namespaceUser, socketFrame } from './messages';
import { decodeSocket } from './socket-io';
import { OPENING_HEADER, socketStateOf, type SocketState } from './socket-state';
import { CLOSE, tryClose, trySend } from './sockets';

/** How long a Socket.IO client has to name its namespace after the handshake (socket.io-client waits 20 s). */
const CONNECT_TIMEOUT_MS = 20_000;

const isUpgrade = (request: Request) => request.headers.get('upgrade')?.toLowerCase() === 'websocket';

/**
 * The token accepted through the call path (404, 401/403 as for any call), then `check` (refusals after the
 * token, audited as the opening's failure), and the new socket's state.
 */
function acceptSocket(
  base: PublicContext,
  username: string,
  token: string | undefined,
  protocol: SocketState['protocol'],
  sid: string,
  check: () => void = () => undefined,
): Promise<SocketState> {
  const action = protocol === 'plain' ? 'notifications.open' : 'socket.io.connect';
  return withUserAccess(base, { username, token, action, query: {}, source: 'websocket' }, {}, (ctx) => {
    check();
    return socketStateOf(ctx, protocol, sid);
  });
}

/** Hands the upgrade to the account's object: a 101 with the socket, or the object's refusal as an ApiError. */
async function openOnObject(base: PublicContext, state: SocketState, handedOff: boolean): Promise<WebSocket> {
  const res = await accountObject(base.env, state.userId).fetch('https://account.internal/', {
    headers: { Upgrade: 'websocket', [OPENING_HEADER]: JSON.stringify({ state, handedOff }) },
  });
  if (res.status === 101 && res.webSocket) return res.webSocket;
  const body = (await res.json().catch(() => null)) as { error?: { id: ErrorId; message: string; data?: unknown } } | null;
  if (body?.error) {
    const refusal = new ApiError(body.error.id, body.error.message, body.error.data);
    // `account-moving` (the object could not set the account's sockets flag, decision 032) says when to retry.
    const retryAfter = res.headers.get('Retry-After');
    if (retryAfter !== null) refusal.headers = { 'Retry-After': retryAfter };
    throw refusal;
  }
  throw new Error(`account object refused the upgrade with ${res.status}`);
}

/** `GET U/notifications`: user (404), token (401/403), then the upgrade itself (400 for a plain GET). */
export async function openPlainChannel(base: PublicContext, username: string, token: string | undefined, request: Request): Promise<Response> {
  const state = await acceptSocket(base, username, token, 'plain', newId(), () => {
    if (!isUpgrade(request)) throw err.requestStructure('This route only serves WebSocket upgrades (`Upgrade: websocket`).');
  });
  return new Response(null, { status: 101, webSocket: await openOnObject(base, state, false) });
}

const engineError = (error: { code: number; message: string }, hint: string) =>
  new Response(JSON.stringify({ ...error, context: { hint } }), { status: 400, headers: { 'Content-Type': 'application/json; charset=utf-8' } });

/** The Engine.IO request line: protocol 4 over WebSocket only; anything else is Engine.IO's own 400 error. */
function engineRefusal(request: Request, url: URL): Response | null {
  const hint = 'This server serves Engine.IO 4 over WebSocket only: connect with transports: ["websocket"].';
  if (url.searchParams.get('EIO') !== ENGINE_IO_VERSION) return engineError(ENGINE_ERRORS.unsupportedProtocolVersion, hint);
  if (url.searchParams.get('transport') !== 'websocket') return engineError(ENGINE_ERRORS.transportUnknown, hint);
  if (!isUpgrade(request)) return engineError(ENGINE_ERRORS.badRequest, hint);
  return null;
}

/** The namespace of a frame if it is a namespace connect; null for heartbeats; ProtocolError for anything malformed. */
function connectNamespace(frame: string | ArrayBuffer): string | null {
  const packet = decodeEngine(frame);
  if (packet.type !== 'message') return null;
  const inner = decodeSocket(packet.data);
  if (inner.type !== 'connect') throw new ProtocolError('the first packet must connect a namespace');
  return inner.nsp;
}

const connectError = (nsp: string, error: ApiError) =>
  socketFrame({ type: 'connect_error', nsp, data: { message: error.message, data: error.toBody() } });

/**
 * `/socket.io/` (and `U/socket.io/` when the URL names the user). `urlUser` is that user, or null in path
 * mode, where the namespace names it.
 */
export async function openSocketIo(base: PublicContext, request: Request, url: URL, token: string | undefined, urlUser: string | null): Promise<Response> {
  const refusal = engineRefusal(request, url);
  if (refusal) return refusal;
  const sid = newId();
  if (urlUser === null) return relayToObject(base, token, sid);
  try {
    const state = await acceptSocket(base, urlUser, token, 'socketio', sid);
    return new Response(null, { status: 101, webSocket: await openOnObject(base, state, false) });
  } catch (e) {
    return refuseOverSocket(sid, toApiError(e));
  }
}

/** A Worker-side socket that completes the handshake only to answer the namespace connect with the refusal. */
function refuseOverSocket(sid: string, error: ApiError): Response {
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  server.send(openPacket(engineOpenData(sid)));
  const timer = setTimeout(() => tryClose(server, CLOSE.normal, 'no namespace'), CONNECT_TIMEOUT_MS);
  server.addEventListener('message', (event) => {
    let nsp: string | null;
    try {
      nsp = connectNamespace(event.data);
    } catch (e) {
      clearTimeout(timer);
      return tryClose(server, CLOSE.protocolError, e instanceof ProtocolError ? `protocol error: ${e.message}` : 'protocol error');
    }
    if (nsp === null) return;
    clearTimeout(timer);
    trySend(server, connectError(nsp, error));
    tryClose(server, CLOSE.normal, 'refused');
  });
  server.addEventListener('close', () => clearTimeout(timer));
  return new Response(null, { status: 101, webSocket: client });
}

/**
 * Path mode: the Worker answers the handshake, learns the user from the namespace connect, accepts the token,
 * opens the socket on the account's object and relays both ways until either side closes.
 */
function relayToObject(base: PublicContext, token: string | undefined, sid: string): Response {
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  server.send(openPacket(engineOpenData(sid)));
  let phase: 'waiting' | 'opening' | 'relaying' | 'closed' = 'waiting';
  let upstream: WebSocket | null = null;
  // Frames the client sends while the object is being reached, forwarded in order once it is.
  const early: (string | ArrayBuffer)[] = [];
  const timer = setTimeout(() => {
    if (phase === 'waiting') tryClose(server, CLOSE.normal, 'no namespace');
  }, CONNECT_TIMEOUT_MS);

  const open = async (nsp: string, username: string, connectFrame: string | ArrayBuffer) => {
    try {
      const state = await acceptSocket(base, username, token, 'socketio', sid);
      const ws = await openOnObject(base, state, true);
      ws.accept();
      if (phase === 'closed') return tryClose(ws, CLOSE.normal, 'client gone');
      upstream = ws;
      ws.addEventListener('message', (event) => trySend(server, event.data));
      ws.addEventListener('close', (event) => {
        phase = 'closed';
        tryClose(server, event.code, event.reason);
      });
      ws.send(connectFrame);
      for (const frame of early.splice(0)) ws.send(frame);
      phase = 'relaying';
    } catch (e) {
      phase = 'closed';
      trySend(server, connectError(nsp, toApiError(e)));
      tryClose(server, CLOSE.normal, 'refused');
    }
  };

  server.addEventListener('message', (event) => {
    if (phase === 'relaying') return trySend(upstream, event.data);
    if (phase === 'opening') return void early.push(event.data);
    if (phase !== 'waiting') return;
    let nsp: string | null;
    try {
      nsp = connectNamespace(event.data);
    } catch (e) {
      phase = 'closed';
      return tryClose(server, CLOSE.protocolError, e instanceof ProtocolError ? `protocol error: ${e.message}` : 'protocol error');
    }
    if (nsp === null) return;
    const username = namespaceUser(nsp);
    if (username === null) return trySend(server, socketFrame({ type: 'connect_error', nsp, data: { message: 'Invalid namespace' } }));
    phase = 'opening';
    clearTimeout(timer);
    base.request.waitUntil(open(nsp, username, event.data));
  });
  server.addEventListener('close', (event) => {
    phase = 'closed';
    clearTimeout(timer);
    tryClose(upstream, event.code, event.reason);
  });
  return new Response(null, { status: 101, webSocket: client });
}
