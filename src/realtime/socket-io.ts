/**
 * Socket.IO protocol 5 packets (socket.io v4), carried in Engine.IO `message` packets:
 * `<type>[<namespace>,][<ack id>][<JSON data>]`, the namespace written only when it is not "/". Binary
 * packets (types 5 and 6) are refused: no Pryv method takes binary arguments.
 */
import * as v from 'valibot';
import { ProtocolError } from './engine-io';

export type SocketPacket =
  | { type: 'connect'; nsp: string; data?: Record<string, unknown> }
  | { type: 'disconnect'; nsp: string }
  | { type: 'event'; nsp: string; id?: number; data: [string, ...unknown[]] }
  | { type: 'ack'; nsp: string; id: number; data: unknown[] }
  | { type: 'connect_error'; nsp: string; data: { message: string; data?: unknown } };

const TYPES = ['connect', 'disconnect', 'event', 'ack', 'connect_error', 'binary_event', 'binary_ack'] as const;

/** The longest ack id accepted: socket.io-client counts from 0, far below 2^53. */
const MAX_ACK_DIGITS = 15;

const connectData = v.optional(v.record(v.string(), v.unknown()));
const eventData = v.pipe(v.tupleWithRest([v.string()], v.unknown()), v.check((a) => a[0].length > 0, 'empty event name'));
const ackData = v.array(v.unknown());

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProtocolError('malformed JSON in a Socket.IO packet');
  }
}

function check<T>(schema: v.GenericSchema<unknown, T>, value: unknown, what: string): T {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new ProtocolError(`malformed ${what} packet`);
  return result.output;
}

export function decodeSocket(text: string): SocketPacket {
  const type = TYPES[text.charCodeAt(0) - 48];
  if (type === undefined) throw new ProtocolError('unknown Socket.IO packet type');
  if (type === 'binary_event' || type === 'binary_ack') throw new ProtocolError('binary Socket.IO packets are not supported');
  let i = 1;
  let nsp = '/';
  if (text[i] === '/') {
    const comma = text.indexOf(',', i);
    // A namespace may close the packet without a comma (`41/alice`).
    const end = comma === -1 ? text.length : comma;
    nsp = text.slice(i, end);
    i = comma === -1 ? end : end + 1;
  }
  let digits = '';
  while (i < text.length && text[i] >= '0' && text[i] <= '9') digits += text[i++];
  if (digits.length > MAX_ACK_DIGITS) throw new ProtocolError('ack id too long');
  const id = digits === '' ? undefined : Number(digits);
  const payload = i < text.length ? parseJson(text.slice(i)) : undefined;
  switch (type) {
    case 'connect':
      return { type, nsp, data: check(connectData, payload, 'connect') };
    case 'disconnect':
      if (payload !== undefined) throw new ProtocolError('a disconnect packet carries no data');
      return { type, nsp };
    case 'event':
      return { type, nsp, id, data: check(eventData, payload, 'event') as [string, ...unknown[]] };
    case 'ack':
      if (id === undefined) throw new ProtocolError('an ack packet needs an id');
      return { type, nsp, id, data: check(ackData, payload, 'ack') };
    case 'connect_error':
      // Only servers send it.
      throw new ProtocolError('unexpected connect_error packet from a client');
  }
}

export function encodeSocket(packet: SocketPacket): string {
  let out = String(TYPES.indexOf(packet.type));
  if (packet.nsp !== '/') out += `${packet.nsp},`;
  if ('id' in packet && packet.id !== undefined) out += String(packet.id);
  if ('data' in packet && packet.data !== undefined) out += JSON.stringify(packet.data);
  return out;
}
