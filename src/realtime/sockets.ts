/** Sends and closes that never throw: a socket may be closing at any moment, and its close handler cleans up. */

/** WebSocket close codes: the contract's revocation code (§5.14) and the protocol's own. */
export const CLOSE = { revoked: 4403, normal: 1000, protocolError: 1002, tooBig: 1009 } as const;

export function trySend(ws: WebSocket | null, frame: string | ArrayBuffer): void {
  try {
    ws?.send(frame);
  } catch {
    // closing or closed: the frame is lost with the socket
  }
}

export function tryClose(ws: WebSocket | null, code: number, reason: string): void {
  try {
    // 1005 and 1006 (no code, abnormal closure) are reported by the runtime, never sent.
    ws?.close(code === 1005 || code === 1006 ? CLOSE.normal : code, reason);
  } catch {
    // already closed
  }
}
