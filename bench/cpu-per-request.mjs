// CPU time per request of the events.get shapes, summed over the workerd processes (the Worker, its D1 and
// queue, the dev proxy), read from /proc before and after a fixed number of requests, with floor B measured
// around each shape. On a machine shared with other work req/s follow the neighbours' load; CPU time per
// request does much less (docs/performance.md). It also gives the busiest thread's CPU per request: the thread
// the Worker shares with its local D1 and queues, which bounds req/s here ("Fourth pass").
// `npm exec -- node bench/cpu-per-request.mjs [--events N] [--requests N] [--only a,b]`
import { randomBytes } from 'node:crypto';
import { removeDir, startDevServer, tempStateDir } from '../scripts/dev-server.mjs';
import { auditSummary } from './audit.mjs';
import { busiestThreadMs, cpuMs, threadCpuMs } from './cpu.mjs';
import { request } from './client.mjs';
import { role, workerdPids } from './rss.mjs';
import { scenarios } from './scenarios.mjs';
import { registerUser, seedAccesses, seedAttachment, seedEvents, seedStreams, seedUpdateTargets } from './seed.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const EVENTS = Number(arg('events', 20_000));
const REQUESTS = Number(arg('requests', 300));
const IN_FLIGHT = 5;
const WARM_UP = 20;
const only = arg('only', 'eventsGet').split(',');
/** Wait after the last request of a scenario (its audit records are appended in the background). */
const SETTLE_MS = 2000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function drive(base, s, count) {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < count) {
      const path = s.paths ? s.paths[next % s.paths.length] : s.path;
      next++;
      const res = await request(base, s.method, path, { token: s.token, body: s.body });
      if (res.status >= 300) failed++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return failed;
}

const stateDir = tempStateDir('pryv-edge-cpu-');
const server = await startDevServer({ stateDir, logLevel: 'error', vars: { TOKEN_KEY: randomBytes(32).toString('hex'), BENCH: '1' } });
try {
  const base = server.url;
  const user = await registerUser(base);
  await seedStreams(base, user);
  await seedEvents(base, user, 0, EVENTS, 4);
  await auditSummary(base, user);
  const ctx = { user, small: 0, large: EVENTS, ...(await seedAccesses(base, user)), ...(await seedAttachment(base, user)), ...(await seedUpdateTargets(base, user)) };
  const pids = workerdPids(server.pid);
  const idleFrom = cpuMs(pids);
  await sleep(SETTLE_MS);
  const idle = cpuMs(pids) - idleFrom;
  const measure = async (s) => {
    await drive(base, s, WARM_UP);
    await sleep(SETTLE_MS);
    const before = cpuMs(pids);
    const beforeEach = pids.map((pid) => cpuMs([pid]));
    const threadsBefore = threadCpuMs(pids);
    const failed = await drive(base, s, REQUESTS);
    await sleep(SETTLE_MS); // the requests' audit records are appended meanwhile: part of their cost
    const cpu = (cpuMs(pids) - before - idle) / REQUESTS;
    // The thread that bounds req/s (the Worker's, with D1 and the queues): its idle share is small, not taken off.
    const thread = busiestThreadMs(threadsBefore, threadCpuMs(pids)) / REQUESTS;
    const split = pids.map((pid, i) => `${role(pid)} ${((cpuMs([pid]) - beforeEach[i]) / REQUESTS).toFixed(2)}`).join(', ');
    return { cpu, thread, split, failed };
  };
  const list = scenarios(ctx).filter((x) => x.phase !== 'small' && x.path);
  const floorB = list.find((x) => x.id === 'floorB');
  // Floor B is measured before and after each scenario: the machine's load drifts, and each ratio uses the
  // floor measured around it.
  let floorBefore = await measure(floorB);
  const rows = [];
  for (const s of list.filter((x) => x.id !== 'floorB' && only.some((w) => x.id.includes(w)))) {
    const { cpu, thread, split, failed } = await measure(s);
    const floorAfter = await measure(floorB);
    const floor = (floorBefore.cpu + floorAfter.cpu) / 2;
    const floorThread = (floorBefore.thread + floorAfter.thread) / 2;
    floorBefore = floorAfter;
    const sample = await request(base, s.method, s.path, { token: s.token, body: s.body });
    rows.push({ id: s.id, title: s.title, cpuMsPerRequest: cpu, floorB: floor, thread, floorThread, failed, d1: sample.d1, bytes: sample.text.length });
    process.stderr.write(`${s.id}: ${cpu.toFixed(2)} CPU ms/request (${split}; busiest thread ${thread.toFixed(2)}); floor B ${floor.toFixed(2)} (thread ${floorThread.toFixed(2)})\n`);
  }
  console.log('scenario'.padEnd(52), 'CPU ms/req', 'floor B', 'floor B ÷ it', 'thread ms', 'floor B ÷ it', 'D1/req', 'bytes', 'failed');
  for (const r of rows) {
    console.log(
      r.title.padEnd(52), r.cpuMsPerRequest.toFixed(2).padStart(10), r.floorB.toFixed(2).padStart(7), (r.floorB / r.cpuMsPerRequest).toFixed(2).padStart(12),
      r.thread.toFixed(2).padStart(9), (r.floorThread / r.thread).toFixed(2).padStart(12), String(r.d1).padStart(6), String(r.bytes).padStart(7), r.failed,
    );
  }
} finally {
  await server.stop();
  removeDir(stateDir);
}
