// `npm run bench`: starts the Worker as users run it (wrangler dev, fresh local state, BENCH mode), seeds it
// through the public API, drives each scenario with autocannon from this process, prints the table and the
// budget, writes bench/results/latest.json, and always stops the server. With --soak, runs the memory soak
// instead (bench/soak.mjs) and writes bench/results/soak.json. See docs/performance.md.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { freePort, ROOT, startDevServer } from '../scripts/dev-server.mjs';
import { parseArgs } from './args.mjs';
import { auditSummary, auditText } from './audit.mjs';
import { runScenario } from './load.mjs';
import { budget, budgetText, floorBReference, table } from './report.mjs';
import { sampleRss, workerdPids } from './rss.mjs';
import { scenarios } from './scenarios.mjs';
import { realtimeText, runRealtime } from './realtime.mjs';
import { IDLE_SECONDS, runSoak, soakText } from './soak.mjs';
import { registerUser, seedAccesses, seedAttachment, seedEvents, seedStreams, seedUpdateTargets } from './seed.mjs';

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(e.message);
  process.exit(2);
}
const log = (msg) => process.stderr.write(`${msg}\n`);
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'pryv-edge-bench-'));
let server = null;
let starting = null;
let aborting = false;
let cleaning = null;

const cleanup = () => (cleaning ??= stopEverything());

async function stopEverything() {
  // Interrupted while wrangler was starting: wait for it to answer (or fail) so it can be stopped, not orphaned.
  if (!server && starting) server = await starting.catch(() => null);
  if (server) {
    // wrangler exits before its workerd children; wait for them (killing stragglers) so nothing outlives the run.
    const pids = workerdPids(server.pid);
    await server.stop();
    server = null;
    const deadline = Date.now() + 5000;
    while (pids.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const pid of pids) if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
  }
  if (!opts.keepState) rmSync(stateDir, { recursive: true, force: true });
}

async function abort(reason, code) {
  aborting = true;
  log(`\n${reason}; stopping the server…`);
  await cleanup();
  process.exit(code);
}
process.on('SIGINT', () => abort('interrupted', 130));
process.on('SIGTERM', () => abort('terminated', 143));

// Bound the whole run: seeding at a pessimistic 50 events/s (about 250/s measured on 2 busy cores), plus
// every scenario round with slack.
// Real-time: three latency runs and two idle holds, plus opening and closing the sockets.
const realtimePlanned = 3 * (30 + opts.realtimeWrites * 0.5) + 2 * (opts.idleSeconds + 60);
const planned = opts.soak
  ? 120 + opts.events / 50 + opts.soak + IDLE_SECONDS + 60
  : opts.realtimeOnly
    ? 120 + realtimePlanned
    : 120 + opts.events / 50 + 12 * opts.rounds * (opts.duration + 20) + realtimePlanned;
setTimeout(() => abort(`time limit of ${Math.round(opts.timeout ?? planned)} s reached`, 2), (opts.timeout ?? planned) * 1000).unref();

try {
  const started = Date.now();
  log(`starting wrangler dev (state in ${stateDir})…`);
  // The soak reads the Worker isolate's heap through wrangler's inspector proxy, on a port of its own.
  const inspectorPort = opts.soak ? await freePort() : null;
  const extraArgs = inspectorPort ? ['--inspector-port', String(inspectorPort)] : [];
  // The idle-socket measurement holds many sockets on one account: the per-account cap is raised for it.
  const socketCap = String(2 * opts.idleSockets + opts.realtimeSockets);
  starting = startDevServer({
    stateDir,
    logLevel: 'error',
    vars: {
      TOKEN_KEY: randomBytes(32).toString('hex'),
      BENCH: '1',
      REALTIME_MAX_SOCKETS: socketCap,
      // The latency simulation and the sessions switch (src/bench/latency.ts, docs/scaling.md). The simulation
      // has replicas: reads start on them as on shards with read replication enabled (decision 033).
      ...(opts.latency ? { BENCH_LATENCY: opts.latency, D1_READ_REPLICATION: 'on' } : {}),
      ...(opts.sessions ? {} : { BENCH_SESSIONS: 'off' }),
    },
    extraArgs,
  });
  server = await starting;
  log(`server on ${server.url} (wrangler pid ${server.pid})`);
  const base = server.url;

  if (opts.soak) {
    const report = await runSoak({ base, serverPid: server.pid, inspectorPort, opts, log });
    const out = opts.out ?? path.join(ROOT, 'bench', 'results', 'soak.json');
    const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
    writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine, settings: { ...opts, out: undefined }, ...report }, null, 2)}\n`);
    console.log(`\n${soakText(report)}\n`);
    console.log(`results: ${path.relative(process.cwd(), out)} (${Math.round((Date.now() - started) / 1000)} s)`);
    await cleanup();
    process.exit(0);
  }

  const user = await registerUser(base);
  const ctx = { user, shared: null, narrowed: null, small: opts.smallEvents, large: opts.events, attachment: null, upload: null };
  const seeding = {};
  const list = () => scenarios(ctx).filter((s) => !opts.only || opts.only.some((w) => s.id.toLowerCase().includes(w.toLowerCase())));
  const results = [];
  const memory = { sampler: null, result: null };

  const runPhase = async (phase) => {
    for (const s of list().filter((x) => x.phase === phase)) {
      if (s.rss && !memory.sampler) memory.sampler = sampleRss(server.pid);
      log(`→ ${s.title}`);
      const r = await runScenario(base, s, opts, (i) => opts.rounds > 1 && log(`  round ${i + 1}/${opts.rounds}`));
      log(r.status === 'ran' ? `  ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms` : `  n/a: ${r.reason}`);
      results.push(r);
    }
    if (memory.sampler) {
      memory.result = memory.sampler.stop();
      memory.sampler = null;
    }
  };

  if (opts.realtimeOnly) {
    const realtime = await runRealtime(base, server.pid, user, opts, log);
    const out = opts.out ?? path.join(ROOT, 'bench', 'results', 'realtime.json');
    const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
    writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine, settings: { ...opts, out: undefined }, realtime }, null, 2)}\n`);
    console.log(`\n${realtimeText(realtime)}\n\nresults: ${path.relative(process.cwd(), out)} (${Math.round((Date.now() - started) / 1000)} s)`);
    await cleanup();
    process.exit(0);
  }

  await runPhase('base');
  log('seeding: stream tree');
  const streamsOk = (await seedStreams(base, user)).available;
  let eventsOk = false;
  if (streamsOk) {
    seeding.small = await seedEvents(base, user, 0, opts.smallEvents, opts.seedConcurrency);
    eventsOk = seeding.small.available;
  }
  await runPhase('small');
  if (eventsOk) {
    seeding.large = await seedEvents(base, user, opts.smallEvents, opts.events, opts.seedConcurrency);
    if (seeding.large.seconds > 0) log(`  ${Math.round(seeding.large.created / seeding.large.seconds)} events/s through batches`);
    // The seeding's audit records are appended by the queue consumer in the same workerd: let it finish, so the
    // scenarios are not measured against a backlog that a faster seeding leaves behind.
    log('audit: waiting for the seeding\'s records to be stored…');
    await auditSummary(base, user);
  }
  if (streamsOk) Object.assign(ctx, await seedAccesses(base, user), await seedAttachment(base, user), await seedUpdateTargets(base, user));
  await runPhase('large');
  // Under a latency simulation only the request scenarios are meaningful (docs/scaling.md).
  const realtime = opts.skipRealtime || opts.latency ? null : await runRealtime(base, server.pid, user, opts, log);
  log('audit: waiting for the queue to drain…');
  const audit = await auditSummary(base, user);

  const lines = budget(results, seeding.large ?? null, opts);
  const floorB = floorBReference(results);
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    settings: { ...opts, out: undefined },
    seeding,
    results: results.map((r) => ({ ...r, ratioToFloorB: r.status === 'ran' && floorB ? r.rps / floorB.rps : null })),
    workerdMemoryDuringLargeScenarios: memory.result,
    realtime,
    audit,
    budget: lines,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  const out = opts.out ?? path.join(ROOT, 'bench', 'results', 'latest.json');
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

  console.log(`\n${table(results)}\n`);
  if (memory.result) {
    console.log(`workerd memory during the ${opts.events}-event scenarios (peak sampled RSS; VmHWM = peak since start, seeding included):`);
    for (const p of memory.result.processes) console.log(`  ${p.role.padEnd(14)} pid ${p.pid}: peak RSS ${p.peakRssMB} MB, VmHWM ${p.hwmMB} MB`);
    console.log('');
  }
  console.log(`${budgetText(lines)}\n`);
  if (realtime) console.log(`${realtimeText(realtime)}\n`);
  console.log(`${auditText(audit)}\n`);
  console.log(`results: ${path.relative(process.cwd(), out)} (${report.seconds} s)`);
  await cleanup();
  process.exit(0);
} catch (e) {
  if (aborting) await new Promise(() => {}); // abort() owns the exit; this failure is its consequence
  log(`\nbenchmark failed: ${e?.stack ?? e}`);
  if (server) log(server.output().slice(-2000));
  await cleanup();
  process.exit(1);
}
