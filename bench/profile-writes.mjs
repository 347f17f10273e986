// `npm exec -- node bench/profile-writes.mjs [--cpu-only]` (Node 22, as npm scripts get it). Phases: floor B,
// 5 callBatch of 1,000 events.create, then 300 each of events.create, events.update and the bench's callBatch of
// 10 (5 events.get + 5 events.create), 10 requests in flight as the bench's connections. Per phase it prints the
// CPU the workerd processes used per request (the Worker, D1, the queues and Durable Objects, the dev proxy),
// read from /proc, which a loaded machine does not inflate; and, unless `--cpu-only` (the sampling costs CPU
// too), the isolate's sampled CPU per request and the functions with the most self time, from V8's sampling
// profiler through wrangler dev's inspector (docs/performance.md, "Writes"). Profiles go to the temp folder.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startDevServer } from '../scripts/dev-server.mjs';
import { request } from './client.mjs';
import { hottest } from './profile-summary.mjs';
import { cpuMs } from './cpu.mjs';
import { connectInspector } from './inspector.mjs';
import { workerdPids } from './rss.mjs';
import { scenarios } from './scenarios.mjs';
import { registerUser, seedEvents, seedStreams } from './seed.mjs';

const TOP = 25;
/** Requests per single-request phase. */
const ROUNDS = 300;
/** After a phase: the audit queue's consumer appends the phase's records (its batches wait up to 2 s, wrangler.toml). */
const SETTLE_MS = 3000;
const cpuOnly = process.argv.includes('--cpu-only');
/** Requests in flight during a single-request phase, as the bench's connections (its default: 10). */
const IN_FLIGHT = 10;

/** Runs `one(i)` for i < total, `IN_FLIGHT` at a time. */
async function inFlight(total, one) {
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < total) await one(next++);
  }));
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'pryv-edge-profile-'));
const inspectorPort = await freePort();
const server = await startDevServer({ stateDir, logLevel: 'error', vars: { TOKEN_KEY: randomBytes(32).toString('hex'), BENCH: '1' }, extraArgs: ['--inspector-port', String(inspectorPort)] });

/** Microseconds of the isolate's samples that were not idle: its CPU, JavaScript, native and GC alike. */
function busyMicros(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let busy = 0;
  profile.samples.forEach((id, i) => {
    if (byId.get(id).callFrame.functionName !== '(idle)') busy += profile.timeDeltas[i] ?? 0;
  });
  return busy;
}

async function profiled(label, inspector, work, requests) {
  const pids = workerdPids(server.pid);
  // The processes' own CPU while idle (timers, the queue's polling), measured over the settling time, is taken off.
  const idleBefore = pids.map((pid) => cpuMs([pid]));
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const idle = pids.map((pid, i) => cpuMs([pid]) - idleBefore[i]);
  if (!cpuOnly) await inspector.startProfile();
  const before = pids.map((pid) => cpuMs([pid]));
  const started = Date.now();
  await work();
  const seconds = (Date.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  // Stopped after the settling time, so that the audit consumer's appends of the phase are in the profile too.
  const profile = cpuOnly ? null : await inspector.stopProfile();
  const used = pids.map((pid, i) => cpuMs([pid]) - before[i] - idle[i]);
  const perRequest = (ms) => (ms / requests).toFixed(2);
  console.log(`\n== ${label} (${seconds.toFixed(1)} s)`);
  console.log(`workerd CPU per request: ${perRequest(used.reduce((a, b) => a + b, 0))} ms (by process: ${used.map(perRequest).join(' + ')}; ${requests} requests, idle CPU taken off)`);
  if (cpuOnly) return;
  if (profile) {
    console.log(`isolate CPU per request: ${(busyMicros(profile) / 1000 / requests).toFixed(2)} ms (${requests} requests)`);
    writeFileSync(path.join(os.tmpdir(), `pryv-edge-${label.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile));
    console.log(hottest(profile, TOP).join('\n'));
  } else console.log('no profile (inspector did not answer)');
}

try {
  const user = await registerUser(server.url);
  await seedStreams(server.url, user);
  await seedEvents(server.url, user, 0, 2000, 1);
  const inspector = await connectInspector(inspectorPort);
  // The bench's reference: one trivial D1 query per request (floor B).
  await profiled('300 floor B', inspector, async () => {
    await inFlight(ROUNDS, () => request(server.url, 'GET', '/bench/d1', {}));
  }, ROUNDS);
  await profiled('callBatch 5 x 1000 events.create', inspector, () => seedEvents(server.url, user, 2000, 7000, 1), 5);
  const body = { streamIds: ['r3-c1-g2'], type: 'mass/kg', content: 72.5, tags: ['t3'] };
  const ids = [];
  await profiled('300 events.create', inspector, async () => {
    await inFlight(ROUNDS, async () => ids.push((await request(server.url, 'POST', `/${user.username}/events`, { token: user.token, body })).body.event.id));
  }, ROUNDS);
  await profiled('300 events.update', inspector, async () => {
    await inFlight(ids.length, (i) => request(server.url, 'PUT', `/${user.username}/events/${ids[i]}`, { token: user.token, body: { content: 73 } }));
  }, ROUNDS);
  const batch10 = scenarios({ user, small: 0, large: 0 }).find((s) => s.id === 'batch10').body;
  await profiled('300 callBatch of 10', inspector, async () => {
    await inFlight(ROUNDS, () => request(server.url, 'POST', `/${user.username}/`, { token: user.token, body: batch10 }));
  }, ROUNDS);
  inspector.close();
} finally {
  await server.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
