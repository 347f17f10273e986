/** The frames the account object pushes, for both protocols (§5.14), and the namespace rule of Socket.IO. */
import type { Meta } from '../core/envelope';
import type { ChangeKind } from '../core/notices';
import { encodeEngine } from './engine-io';
import { encodeSocket, type SocketPacket } from './socket-io';

export const CHANGE_MESSAGES: Record<ChangeKind, string> = {
  events: 'eventsChanged',
  streams: 'streamsChanged',
  accesses: 'accessesChanged',
};

/** Plain channel: one text frame shaped like a webhook body. */
export const plainFrame = (kinds: readonly ChangeKind[], meta: Meta): string =>
  JSON.stringify({ messages: kinds.map((k) => CHANGE_MESSAGES[k]), meta });

/** A Socket.IO packet inside an Engine.IO message packet: the text frame sent on the wire. */
export const socketFrame = (packet: SocketPacket): string => encodeEngine({ type: 'message', data: encodeSocket(packet) });

export const eventFrame = (nsp: string, name: string, ...args: unknown[]): string =>
  socketFrame({ type: 'event', nsp, data: [name, ...args] });

/**
 * The user a Socket.IO namespace names: its last path segment, as in the reference (`/{username}` in
 * subdomain mode, `/{username}/{username}` in path mode). Null for any other shape.
 */
export function namespaceUser(nsp: string): string | null {
  const segments = nsp.split('/').slice(1);
  if (segments.length < 1 || segments.length > 2 || segments.some((s) => s.length === 0)) return null;
  return segments[segments.length - 1];
}
