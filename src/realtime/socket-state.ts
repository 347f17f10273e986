/**
 * What the account object keeps about each socket, attached to the socket itself (`serializeAttachment`) so
 * it survives hibernation and eviction of the object's memory. The Worker fills it in once the token was
 * accepted, and hands it to the object with the upgrade request.
 */
import * as v from 'valibot';
import { sealToken } from '../auth/crypto';
import { tokenKey } from '../auth/session';
import type { AccessContext } from '../core/context';

const nullableNumber = v.nullable(v.number());

export const socketStateSchema = v.object({
  protocol: v.picklist(['plain', 'socketio']),
  userId: v.string(),
  username: v.string(),
  accessId: v.string(),
  /** The access row as it was accepted: a changed hash (new session, logout) or revision means revoked or updated. */
  tokenHash: v.nullable(v.string()),
  modified: v.number(),
  expires: nullableNumber,
  /** Personal sessions slide: a past value is re-read from D1 before the socket is closed. */
  sessionExpires: nullableNumber,
  /** Socket.IO only: the token sealed under TOKEN_KEY, unsealed for each method call through the call path. */
  sealedToken: v.nullable(v.string()),
  /** Socket.IO only: the Engine.IO session id, and the namespace once connected. */
  sid: v.string(),
  nsp: v.nullable(v.string()),
  /** What the call path needs of the original request for calls made on the socket. */
  baseUrl: v.string(),
  ip: v.string(),
});

export type SocketState = v.InferOutput<typeof socketStateSchema>;

/** The upgrade request from the Worker: the state, and whether the Worker already sent the Engine.IO handshake. */
export const openingSchema = v.object({ state: socketStateSchema, handedOff: v.boolean() });
export type Opening = v.InferOutput<typeof openingSchema>;

/** The header carrying the opening from the Worker to the object (never reachable by clients: the object has no route). */
export const OPENING_HEADER = 'X-Realtime-Opening';

/** The state of a socket about to be opened under an accepted access. */
export async function socketStateOf(ctx: AccessContext, protocol: SocketState['protocol'], sid: string): Promise<SocketState> {
  const { access, user } = ctx;
  return {
    protocol,
    userId: user.id,
    username: user.username,
    accessId: access.id,
    tokenHash: access.tokenHash,
    modified: access.modified,
    expires: access.expires,
    sessionExpires: access.type === 'personal' ? access.sessionExpires : null,
    sealedToken: protocol === 'socketio' ? await sealToken(tokenKey(ctx.env), ctx.token) : null,
    sid,
    nsp: null,
    baseUrl: ctx.request.baseUrl,
    ip: ctx.request.ip,
  };
}

/** The first instant the socket's access stops being usable by its own row (null: never by time alone). */
export function deadline(state: SocketState): number | null {
  const times = [state.expires, state.sessionExpires].filter((t): t is number => t !== null);
  return times.length === 0 ? null : Math.min(...times);
}
