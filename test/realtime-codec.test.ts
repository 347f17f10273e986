import { describe, expect, it } from 'vitest';
import { decodeEngine, encodeEngine, NOOP, openPacket, PING, PONG, ProtocolError } from '../src/realtime/engine-io';
import { eventFrame, namespaceUser, plainFrame, socketFrame } from '../src/realtime/messages';
import { decodeSocket, encodeSocket, type SocketPacket } from '../src/realtime/socket-io';

/** The Engine.IO 4 / Socket.IO 5 codec, frame by frame, with the exact texts socket.io-client sends and expects. */
describe('Engine.IO packets', () => {
  it('decodes each packet type a client sends, with its data', () => {
    expect(decodeEngine('3')).toEqual({ type: 'pong', data: '' });
    expect(decodeEngine('2probe')).toEqual({ type: 'ping', data: 'probe' });
    expect(decodeEngine('40/alice,')).toEqual({ type: 'message', data: '0/alice,' });
    expect(decodeEngine('1')).toEqual({ type: 'close' });
    expect(decodeEngine('5')).toEqual({ type: 'upgrade' });
    expect(decodeEngine('6')).toEqual({ type: 'noop' });
  });

  it('encodes the heartbeat, no-op and message packets as single-character types', () => {
    expect([PING, PONG, NOOP]).toEqual(['2', '3', '6']);
    expect(encodeEngine({ type: 'message', data: '2["eventsChanged"]' })).toBe('42["eventsChanged"]');
    expect(encodeEngine({ type: 'close' })).toBe('1');
  });

  it('writes the handshake as socket.io-client parses it: type 0 and a JSON object without upgrades', () => {
    const frame = openPacket({ sid: 'abc', upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 });
    expect(frame).toBe('0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}');
  });

  it('refuses empty frames, unknown types and binary frames with a ProtocolError', () => {
    for (const frame of ['', '7', 'x', '9hello']) expect(() => decodeEngine(frame), JSON.stringify(frame)).toThrow(ProtocolError);
    expect(() => decodeEngine(new Uint8Array([4, 1, 2]).buffer)).toThrow(ProtocolError);
  });
});

describe('Socket.IO packets', () => {
  it('decodes the namespace connect of both URL forms, with and without an auth payload', () => {
    expect(decodeSocket('0/alice,')).toEqual({ type: 'connect', nsp: '/alice', data: undefined });
    expect(decodeSocket('0/alice/alice,')).toEqual({ type: 'connect', nsp: '/alice/alice', data: undefined });
    expect(decodeSocket('0/alice,{"token":"x"}')).toEqual({ type: 'connect', nsp: '/alice', data: { token: 'x' } });
    expect(decodeSocket('0')).toEqual({ type: 'connect', nsp: '/', data: undefined });
  });

  it('decodes a method call with its ack id, and one without an ack', () => {
    expect(decodeSocket('2/alice,12["events.get",{"limit":1}]')).toEqual({
      type: 'event',
      nsp: '/alice',
      id: 12,
      data: ['events.get', { limit: 1 }],
    });
    expect(decodeSocket('2/alice,["callBatch",[]]')).toEqual({ type: 'event', nsp: '/alice', id: undefined, data: ['callBatch', []] });
  });

  it('decodes a disconnect and a client ack; a namespace may end the packet without a comma', () => {
    expect(decodeSocket('1/alice,')).toEqual({ type: 'disconnect', nsp: '/alice' });
    expect(decodeSocket('1/alice')).toEqual({ type: 'disconnect', nsp: '/alice' });
    expect(decodeSocket('3/alice,4[1]')).toEqual({ type: 'ack', nsp: '/alice', id: 4, data: [1] });
  });

  it('refuses malformed packets: bad JSON, events that are not [name, ...args], binary and server-only types', () => {
    const bad = [
      '2/alice,["events.get"',
      '2/alice,{"method":"events.get"}',
      '2/alice,[]',
      '2/alice,[42]',
      '2/alice,[""]',
      '0/alice,"token"',
      '1/alice,{}',
      '3/alice,[1]',
      '3/alice,1{}',
      '4/alice,{"message":"x"}',
      '51-/alice,["x",{"_placeholder":true,"num":0}]',
      '6',
      '9',
      `2/alice,${'9'.repeat(16)}["x"]`,
    ];
    for (const text of bad) expect(() => decodeSocket(text), text).toThrow(ProtocolError);
  });

  it('encodes the server packets exactly as socket.io-parser does', () => {
    expect(encodeSocket({ type: 'connect', nsp: '/alice/alice', data: { sid: 's1' } })).toBe('0/alice/alice,{"sid":"s1"}');
    expect(encodeSocket({ type: 'event', nsp: '/alice', data: ['eventsChanged'] })).toBe('2/alice,["eventsChanged"]');
    expect(encodeSocket({ type: 'ack', nsp: '/alice', id: 7, data: [null, { events: [] }] })).toBe('3/alice,7[null,{"events":[]}]');
    expect(encodeSocket({ type: 'connect_error', nsp: '/alice', data: { message: 'Invalid namespace' } })).toBe('4/alice,{"message":"Invalid namespace"}');
    expect(encodeSocket({ type: 'disconnect', nsp: '/alice' })).toBe('1/alice,');
    expect(encodeSocket({ type: 'event', nsp: '/', data: ['eventsChanged'] })).toBe('2["eventsChanged"]');
  });

  it('round-trips every client packet through encode and decode', () => {
    const packets: SocketPacket[] = [
      { type: 'connect', nsp: '/alice/alice', data: { a: 1 } },
      { type: 'event', nsp: '/alice', id: 0, data: ['streams.get', {}] },
      { type: 'ack', nsp: '/alice', id: 3, data: [] },
      { type: 'disconnect', nsp: '/alice' },
    ];
    for (const p of packets) expect(decodeSocket(encodeSocket(p))).toEqual(p);
  });
});

describe('the frames the account object pushes', () => {
  it('wraps Socket.IO events in an Engine.IO message: 42/{namespace},["eventsChanged"]', () => {
    expect(eventFrame('/alice', 'eventsChanged')).toBe('42/alice,["eventsChanged"]');
    expect(socketFrame({ type: 'ack', nsp: '/alice/alice', id: 1, data: [{ id: 'forbidden', message: 'no' }] })).toBe(
      '43/alice/alice,1[{"id":"forbidden","message":"no"}]',
    );
  });

  it('shapes plain-channel frames like webhook bodies: {messages, meta}', () => {
    const meta = { apiVersion: '2.0.0', serverTime: 1, serial: 's' };
    expect(JSON.parse(plainFrame(['events', 'accesses'], meta))).toEqual({ messages: ['eventsChanged', 'accessesChanged'], meta });
  });

  it('takes the user from the last segment of a one- or two-segment namespace', () => {
    expect(namespaceUser('/alice')).toBe('alice');
    expect(namespaceUser('/alice/alice')).toBe('alice');
    for (const nsp of ['/', '/a/b/c', '//alice', '/alice/']) expect(namespaceUser(nsp), nsp).toBeNull();
  });
});
