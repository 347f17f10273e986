/**
 * Engine.IO protocol 4 packets over a WebSocket (one packet per text frame, no payload batching: that is the
 * polling transport's, which is not served). A packet is its type digit followed by its data.
 */

export const ENGINE_IO_VERSION = '4';

export type EnginePacket =
  | { type: 'open'; data: string }
  | { type: 'close' }
  | { type: 'ping'; data: string }
  | { type: 'pong'; data: string }
  | { type: 'message'; data: string }
  | { type: 'upgrade' }
  | { type: 'noop' };

const TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'] as const;

/** Thrown for a frame that is not an Engine.IO packet; the socket is then closed (never an exception out of the object). */
export class ProtocolError extends Error {}

export function decodeEngine(frame: string | ArrayBuffer): EnginePacket {
  // Binary frames carry binary Socket.IO attachments, which this server does not accept.
  if (typeof frame !== 'string') throw new ProtocolError('binary frames are not supported');
  const type = TYPES[frame.charCodeAt(0) - 48];
  if (frame.length === 0 || type === undefined) throw new ProtocolError('unknown Engine.IO packet type');
  const data = frame.slice(1);
  switch (type) {
    case 'close':
    case 'upgrade':
    case 'noop':
      return { type };
    default:
      return { type, data };
  }
}

export function encodeEngine(packet: EnginePacket): string {
  const digit = TYPES.indexOf(packet.type);
  return 'data' in packet ? `${digit}${packet.data}` : `${digit}`;
}

/** The handshake's answer (§5.14): no upgrades, since the client is already on its only transport. */
export interface OpenData {
  sid: string;
  upgrades: [];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}

export const openPacket = (data: OpenData): string => encodeEngine({ type: 'open', data: JSON.stringify(data) });

export const PING = encodeEngine({ type: 'ping', data: '' });
export const PONG = encodeEngine({ type: 'pong', data: '' });
export const NOOP = encodeEngine({ type: 'noop' });
export const CLOSE = encodeEngine({ type: 'close' });

/**
 * Engine.IO's own HTTP errors (code and message as the reference server words them), for requests that are
 * not a WebSocket handshake of protocol 4.
 */
export const ENGINE_ERRORS = {
  transportUnknown: { code: 0, message: 'Transport unknown' },
  badRequest: { code: 3, message: 'Bad request' },
  unsupportedProtocolVersion: { code: 5, message: 'Unsupported protocol version' },
} as const;
