// Real-time measurements of `npm run bench` (docs/performance.md, issue 13):
// - notice latency: N sockets open on one account, writes made over HTTP one at a time, and for every write
//   and socket the time from sending the write to the frame's arrival (and from the write's response);
// - idle cost: M sockets held open and silent for S seconds, the workerd memory they add, and what the
//   account object did meanwhile (read from the bench-only activity route: wakes, frames, alarms).
import { io } from 'socket.io-client';
import { request } from './client.mjs';
import { memoryKb, workerdPids } from './rss.mjs';

/** Writes are spaced wider than the object's 100 ms merge window, so each one is pushed on its own. */
const WRITE_SPACING_MS = 150;
/** Sockets opened concurrently while building up the idle set. */
const OPEN_CONCURRENCY = 50;
const FRAME_TIMEOUT_MS = 10_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (n) => Math.round(n * 10) / 10;

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1)) };
}

/** A plain-channel socket (Node's WebSocket) that calls `onFrame` with each parsed frame's arrival time. */
function openPlain(base, username, token, onFrame, onDrop = () => {}) {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/${username}/notifications?auth=${token}`);
  ws.addEventListener('message', () => onFrame(performance.now()));
  ws.addEventListener('close', onDrop);
  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve({ close: () => ws.close() }));
    ws.addEventListener('error', () => reject(new Error('plain channel refused')));
  });
}

/**
 * A Socket.IO socket. `direct` connects with the Engine.IO path under the user (`/{username}/socket.io/`), as
 * subdomain mode routes it: straight to the account object. Otherwise path mode: `/socket.io/`, relayed by
 * the Worker.
 */
function openSocketIo(base, username, token, onFrame, { direct, onDrop = () => {} }) {
  const socket = io(`${base}/${username}/${username}?auth=${token}`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(direct ? { path: `/${username}/socket.io` } : {}),
  });
  socket.on('eventsChanged', () => onFrame(performance.now()));
  socket.on('disconnect', onDrop);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ close: () => socket.close() }));
    socket.once('connect_error', reject);
  });
}

async function openMany(count, open) {
  const sockets = [];
  for (let i = 0; i < count; i += OPEN_CONCURRENCY) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, count - i) }, (_, j) => open(i + j)))));
  }
  return sockets;
}

/** Notice latency over `sockets` sockets of one kind, for `writes` HTTP events.create calls. */
async function latency(base, user, kind, { sockets: count, writes }) {
  const arrivals = Array.from({ length: count }, () => []);
  const open = (i) =>
    kind === 'plain'
      ? openPlain(base, user.username, user.token, (t) => arrivals[i].push(t))
      : openSocketIo(base, user.username, user.token, (t) => arrivals[i].push(t), { direct: kind === 'socket.io (direct)' });
  const sockets = await openMany(count, open);
  await sleep(500); // let the notices of the setup pass
  for (const a of arrivals) a.length = 0;
  const fromRequest = [];
  const fromResponse = [];
  for (let w = 0; w < writes; w++) {
    const sent = performance.now();
    const res = await request(base, 'POST', `/${user.username}/events`, { token: user.token, body: { streamIds: ['rt'], type: 'note/txt', content: `write ${w}` } });
    if (res.status !== 201) throw new Error(`events.create failed: ${res.status} ${res.text}`);
    const answered = performance.now();
    const deadline = answered + FRAME_TIMEOUT_MS;
    while (arrivals.some((a) => a.length <= w) && performance.now() < deadline) await sleep(2);
    for (const a of arrivals) {
      if (a.length <= w) continue; // a lost frame shows as fewer samples
      fromRequest.push(a[w] - sent);
      fromResponse.push(a[w] - answered);
    }
    await sleep(WRITE_SPACING_MS);
  }
  for (const s of sockets) s.close();
  return { kind, sockets: count, writes, expectedSamples: count * writes, fromRequestMs: summary(fromRequest), fromResponseMs: summary(fromResponse) };
}

async function activity(base, username) {
  const res = await request(base, 'GET', `/bench/realtime/${username}`);
  if (res.status !== 200) throw new Error(`activity route failed: ${res.status} ${res.text}`);
  return res.body;
}

/** `count` silent sockets of one kind held for `seconds`: memory added and the object's activity meanwhile. */
async function idle(base, serverPid, user, kind, { count, seconds }) {
  const pids = workerdPids(serverPid);
  const before = memoryKb(pids).rssKb;
  let dropped = 0;
  const onDrop = () => (dropped += 1);
  const open = (i) =>
    kind === 'plain'
      ? openPlain(base, user.username, user.token, () => {}, onDrop)
      : openSocketIo(base, user.username, user.token, () => {}, { direct: true, onDrop });
  const sockets = await openMany(count, open);
  await sleep(1000);
  const opened = memoryKb(pids).rssKb;
  const start = await activity(base, user.username);
  await sleep(seconds * 1000);
  const end = await activity(base, user.username);
  const delta = Object.fromEntries(['constructions', 'upgrades', 'frames', 'alarms', 'notices'].map((k) => [k, end[k] - start[k]]));
  // The reading itself wakes a hibernated object: that construction is not the sockets'.
  if (end.wokenToRead) delta.constructions -= 1;
  const droppedWhileIdle = dropped;
  for (const s of sockets) s.close();
  await sleep(1000);
  return {
    kind,
    sockets: count,
    openOnObject: end.sockets,
    idleSeconds: seconds,
    workerdRssAddedMB: round((opened - before) / 1024),
    rssPerSocketKB: round((opened - before) / count),
    objectActivityWhileIdle: delta,
    droppedWhileIdle,
  };
}

/** Runs every real-time measurement against the server at `base` (started with BENCH=1 and a raised socket cap). */
export async function runRealtime(base, serverPid, user, opts, log) {
  const created = await request(base, 'POST', `/${user.username}/streams`, { token: user.token, body: { id: 'rt', name: 'Real-time' } });
  if (created.status !== 201 && created.body?.error?.id !== 'item-already-exists') throw new Error(`stream for the real-time bench: ${created.status}`);
  const out = { latency: [], idle: [] };
  for (const kind of ['plain', 'socket.io (direct)', 'socket.io (relayed)']) {
    log(`→ notice latency, ${opts.realtimeSockets} ${kind} sockets, ${opts.realtimeWrites} writes`);
    const r = await latency(base, user, kind, { sockets: opts.realtimeSockets, writes: opts.realtimeWrites });
    log(`  write → frame p50 ${r.fromRequestMs.p50} ms, p99 ${r.fromRequestMs.p99} ms (${r.fromRequestMs.samples}/${r.expectedSamples} frames)`);
    out.latency.push(r);
  }
  for (const kind of ['plain', 'socket.io']) {
    log(`→ ${opts.idleSockets} idle ${kind} sockets for ${opts.idleSeconds} s`);
    const r = await idle(base, serverPid, user, kind, { count: opts.idleSockets, seconds: opts.idleSeconds });
    log(`  +${r.workerdRssAddedMB} MB workerd RSS; object while idle: ${JSON.stringify(r.objectActivityWhileIdle)}`);
    out.idle.push(r);
  }
  return out;
}

export function realtimeText(rt) {
  const lines = ['real-time: notice latency (write sent → frame received; in brackets from the write’s response)'];
  for (const r of rt.latency) {
    lines.push(
      `  ${r.kind.padEnd(20)} ${r.sockets} sockets × ${r.writes} writes: p50 ${r.fromRequestMs.p50} ms, p99 ${r.fromRequestMs.p99} ms, max ${r.fromRequestMs.max} ms [p50 ${r.fromResponseMs.p50}, p99 ${r.fromResponseMs.p99}]; ${r.fromRequestMs.samples}/${r.expectedSamples} frames`,
    );
  }
  lines.push('real-time: idle sockets on one account');
  for (const r of rt.idle) {
    const a = r.objectActivityWhileIdle;
    lines.push(
      `  ${r.kind.padEnd(20)} ${r.sockets} sockets (${r.openOnObject} on the object), ${r.idleSeconds} s: +${r.workerdRssAddedMB} MB workerd RSS (${r.rssPerSocketKB} KB/socket); object: ${a.constructions} wakes, ${a.frames} frames, ${a.alarms} alarms, ${a.notices} notices; ${r.droppedWhileIdle} dropped`,
    );
  }
  return lines.join('\n');
}
