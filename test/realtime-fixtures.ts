import { createExecutionContext, env, SELF } from 'cloudflare:test';
import worker from '../src/index';
import type { Env } from '../src/env';
import { BASE } from './helpers';

/** A client socket inside workerd: every frame it received, in order, and its close. */
export interface TestSocket {
  ws: WebSocket;
  frames: string[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first frame matching `accept` not taken by an earlier call (received ones included), or rejects after `ms`. */
  next(accept?: (frame: string) => boolean, ms?: number): Promise<string>;
  send(frame: string): void;
}

const WAIT_MS = 5_000;

export function track(ws: WebSocket): TestSocket {
  ws.accept();
  const frames: string[] = [];
  const waiters = new Set<() => void>();
  ws.addEventListener('message', (e) => {
    frames.push(typeof e.data === 'string' ? e.data : '<binary>');
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })));
  const taken = new Set<number>();
  const next = (accept: (frame: string) => boolean = () => true, ms = WAIT_MS) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        for (let i = 0; i < frames.length; i++) {
          if (taken.has(i) || !accept(frames[i])) continue;
          taken.add(i);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(frames[i]);
          return;
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(frames)}`));
      }, ms);
      waiters.add(check);
      check();
    });
  return { ws, frames, closed, next, send: (f) => ws.send(f) };
}

/** Opens a WebSocket on the Worker; `vars` override variables (then the Worker's handler is called directly). */
export async function upgrade(path: string, opts: { token?: string; vars?: Partial<Env>; host?: string } = {}): Promise<{ res: Response; socket: TestSocket | null }> {
  const headers: Record<string, string> = { Upgrade: 'websocket' };
  if (opts.token) headers.Authorization = opts.token;
  const url = `${opts.host ? `http://${opts.host}` : BASE}${path}`;
  const res = opts.vars
    ? await worker.fetch(new Request(url, { headers }), { ...env, ...opts.vars }, createExecutionContext())
    : await SELF.fetch(url, { headers });
  return { res, socket: res.webSocket ? track(res.webSocket) : null };
}

export async function openPlain(username: string, token: string): Promise<TestSocket> {
  const { res, socket } = await upgrade(`/${username}/notifications`, { token });
  if (res.status !== 101 || !socket) throw new Error(`plain channel refused: ${res.status} ${await res.text()}`);
  return socket;
}

/** A Socket.IO client's first steps: handshake, then the namespace connect; resolves once connected. */
export async function openSocketIo(username: string, token: string, opts: { nsp?: string; vars?: Partial<Env>; host?: string } = {}) {
  const { res, socket } = await upgrade(`/socket.io/?EIO=4&transport=websocket&auth=${encodeURIComponent(token)}`, opts);
  if (res.status !== 101 || !socket) throw new Error(`socket.io refused: ${res.status} ${await res.text()}`);
  const open = JSON.parse((await socket.next()).slice(1));
  const nsp = opts.nsp ?? `/${username}/${username}`;
  socket.send(`40${nsp},`);
  const connected = await socket.next((f) => f.startsWith(`40${nsp},`) || f.startsWith(`44${nsp},`));
  return { socket, open, nsp, connected };
}

/** Sends `emit(methodId, params, ack)` and resolves with the ack's arguments. */
export async function emitWithAck(socket: TestSocket, nsp: string, id: number, methodId: string, params: unknown): Promise<unknown[]> {
  socket.send(`42${nsp},${id}${JSON.stringify([methodId, params])}`);
  const frame = await socket.next((f) => f.startsWith(`43${nsp},${id}[`), 10_000);
  return JSON.parse(frame.slice(`43${nsp},${id}`.length));
}
