// Where the Worker's thread spends its CPU, by kind of work, per request: Linux `perf` samples the workerd
// processes while one scenario runs, and each sample of the busiest thread (the one the Worker shares with its
// local D1 objects and queues, docs/performance.md "Fourth pass") is put in the first category its native call
// stack matches. Unlike V8's sampling profiler this sees SQLite, the runtime's I/O and the garbage collector by
// name; the JavaScript itself shows as unnamed JIT code (workerd is not started with a perf map).
// `npm exec -- node bench/profile-native.mjs [--events N] [--seconds S] [--only floorB,eventsCreate,…]`
// Needs `perf` (linux-perf) and sampling rights (kernel.perf_event_paranoid ≤ 2 for one's own processes): a
// developer's tool, not part of `npm test` or `npm run bench`.
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeDir, startDevServer, tempStateDir } from '../scripts/dev-server.mjs';
import { request } from './client.mjs';
import { workerdPids } from './rss.mjs';
import { scenarios } from './scenarios.mjs';
import { registerUser, seedAccesses, seedEvents, seedStreams, seedUpdateTargets } from './seed.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const EVENTS = Number(arg('events', 100_000));
const SECONDS = Number(arg('seconds', 6));
const only = arg('only', 'floorB,accessInfo,eventsGetLarge,eventsGetLeaf,eventsGetShared,eventsCreate,eventsUpdate,batch10').split(',');
/** Samples per second and thread: 0.5 ms per sample. */
const FREQUENCY = 2000;
/** Requests in flight, as cpu-per-request.mjs (the bench's 10 would only queue more on the one busy thread). */
const IN_FLIGHT = 5;
const WARM_UP = 50;
/** Before sampling: the warm-up's audit records are appended meanwhile. */
const SETTLE_MS = 2500;

/**
 * The categories, first match wins: a sample inside a SQLite commit is "commit" even though the commit is
 * SQLite too. Patterns match any frame of the sample's stack unless `innermost`.
 */
const CATEGORIES = [
  ['SQLite: commit', /ExplicitTxn::commit|maybeCommit|sqlite3VdbeHalt|vdbeCommit|pagerWalFrames/],
  ['SQLite: (re)prepare', /sqlite3Reprepare|sqlite3LockAndPrepare|sqlite3Prepare/],
  ['SQLite: statements', /sqlite3|SqliteDatabase|SqlStorage/],
  ['garbage collection', /CollectGarbage|Scavenger|MinorGC|MarkCompact|cppgc::internal::Marker/],
  ['JSON', /JsonStringif|JsonParser/],
  ['response compression', /deflate|GzipAsyncOutputStream/],
  ['JavaScript (JIT, builtins, interpreter)', /\[JIT\]|Builtins_|Interpreter/, 'innermost'],
  ['V8 runtime', /v8::/, 'innermost'],
  ['kernel', /\[kernel\.kallsyms\]/, 'innermost'],
  ['allocator', /tcmalloc|TCMalloc|malloc|free/, 'innermost'],
  ['runtime: I/O, promises, bindings (kj, workerd)', /kj::|workerd::|capnp::|kj_rs/, 'innermost'],
];
const OTHER = 'other native';

function checkPerf() {
  const res = spawnSync('perf', ['--version'], { encoding: 'utf8' });
  if (res.status !== 0) {
    console.error('profile-native needs Linux `perf` on the PATH (Debian: package linux-perf).');
    process.exit(1);
  }
}

/** Sample counts per category for the thread with the most samples, from `perf script` output. */
function classify(dataFile) {
  const out = spawnSync('perf', ['script', '-i', dataFile, '-F', 'tid,ip,sym,dso'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (out.status !== 0) throw new Error(`perf script failed: ${out.stderr}`);
  const byThread = new Map();
  for (const block of out.stdout.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim());
    if (lines.length < 2) continue;
    const tid = lines[0].trim().split(/\s+/)[0];
    const frames = lines.slice(1);
    const text = frames.join('\n');
    let category = OTHER;
    for (const [name, pattern, where] of CATEGORIES) {
      if (where === 'innermost' ? pattern.test(frames[0]) : pattern.test(text)) {
        category = name;
        break;
      }
    }
    if (!byThread.has(tid)) byThread.set(tid, new Map());
    const counts = byThread.get(tid);
    counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  const total = (m) => [...m.values()].reduce((a, b) => a + b, 0);
  return [...byThread.values()].sort((a, b) => total(b) - total(a))[0] ?? new Map();
}

async function load(base, s, stopWhen) {
  let n = 0;
  let failed = 0;
  const worker = async () => {
    while (!stopWhen.done) {
      const p = s.paths ? s.paths[n % s.paths.length] : s.path;
      n++;
      const res = await request(base, s.method, p, { token: s.token, body: s.body });
      if (res.status >= 300) failed++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { requests: n, failed };
}

checkPerf();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pryv-edge-perf-'));
const stateDir = tempStateDir('pryv-edge-native-');
const server = await startDevServer({ stateDir, logLevel: 'error', vars: { TOKEN_KEY: randomBytes(32).toString('hex'), BENCH: '1' } });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
try {
  const base = server.url;
  const user = await registerUser(base);
  await seedStreams(base, user);
  await seedEvents(base, user, 0, EVENTS, 4);
  const ctx = { user, small: 0, large: EVENTS, ...(await seedAccesses(base, user)), ...(await seedUpdateTargets(base, user)) };
  const pids = workerdPids(server.pid);
  const list = scenarios(ctx);
  const rows = [];
  for (const id of only) {
    const s = list.find((x) => x.id === id);
    if (!s?.path) throw new Error(`no scenario ${id} with a path`);
    for (let i = 0; i < WARM_UP; i++) await request(base, s.method, s.paths ? s.paths[0] : s.path, { token: s.token, body: s.body });
    await sleep(SETTLE_MS);
    const dataFile = path.join(dataDir, `${id}.data`);
    const perf = spawn('perf', ['record', '-F', String(FREQUENCY), '-g', '-p', pids.join(','), '-o', dataFile, '--', 'sleep', String(SECONDS)], { stdio: 'ignore' });
    const stop = { done: false };
    const running = load(base, s, stop);
    await new Promise((resolve) => perf.on('exit', resolve));
    stop.done = true;
    const { requests, failed } = await running;
    const counts = classify(dataFile);
    const msPerRequest = (samples) => (samples * 1000) / FREQUENCY / requests;
    rows.push({ id, requests, failed, counts, msPerRequest });
    process.stderr.write(`${id}: ${requests} requests, ${failed} failed\n`);
  }
  const names = [...CATEGORIES.map(([n]) => n), OTHER];
  const cell = (r, name) => r.msPerRequest(r.counts.get(name) ?? 0).toFixed(2);
  console.log(['ms per request'.padEnd(48), ...rows.map((r) => r.id.padStart(15))].join(''));
  for (const name of names) console.log([name.padEnd(48), ...rows.map((r) => cell(r, name).padStart(15))].join(''));
  console.log(['the thread in all'.padEnd(48), ...rows.map((r) => r.msPerRequest([...r.counts.values()].reduce((a, b) => a + b, 0)).toFixed(2).padStart(15))].join(''));
} finally {
  await server.stop();
  removeDir(stateDir);
  rmSync(dataDir, { recursive: true, force: true });
}
