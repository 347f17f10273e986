// `npm run bench -- --soak S`: S seconds of one request mix against a seeded server, memory sampled every
// --sample seconds (workerd RSS per process, split anonymous/file, and the Worker isolate's V8 heap), then
// one sample after an idle pause, and the plateau verdict. See docs/performance.md ("Memory under sustained load").
import autocannon from 'autocannon';
import { request } from './client.mjs';
import { connectInspector } from './inspector.mjs';
import { plateau, PLATEAU_MAX_GROWTH } from './plateau.mjs';
import { memoryDetailKb, role, workerdPids } from './rss.mjs';
import { registerUser, seedAccesses, seedEvents, seedStreams } from './seed.mjs';
import { autocannonRequests, soakMix } from './soak-mix.mjs';

/** Pause after the load before the last sample: shows what the processes keep once traffic stops. */
export const IDLE_SECONDS = 30;
/** Slack after the planned end before autocannon is stopped by force (a hung server must not hang the run). */
const STOP_SLACK_SECONDS = 15;

const SHORT_ROLE = { 'worker runtime': 'runtime', 'dev proxy': 'proxy' };
const mb = (kb) => Math.round((kb / 1024) * 10) / 10;
const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

/**
 * One memory sample of every workerd process and of the Worker isolate's heap. The processes are looked up
 * again each time: wrangler restarts the runtime when the Worker's sources change, which the report must show.
 */
async function sample(t, serverPid, inspector, window) {
  const processes = workerdPids(serverPid).map((pid) => {
    const m = memoryDetailKb(pid);
    return { pid, role: role(pid), rssMB: mb(m?.rssKb ?? 0), anonMB: mb(m?.anonKb ?? 0), fileMB: mb(m?.fileKb ?? 0) };
  });
  const heap = inspector ? await inspector.heap() : null;
  const totalMB = Math.round(processes.reduce((s, p) => s + p.rssMB, 0) * 10) / 10;
  return { t, ...window, totalMB, processes, heap };
}

function line(s) {
  const procs = s.processes.map((p) => `${SHORT_ROLE[p.role] ?? p.role} ${p.rssMB} (anon ${p.anonMB}, file ${p.fileMB})`).join('  ');
  const heap = s.heap ? `  heap ${s.heap.usedMB}/${s.heap.totalMB} MB` : '';
  const rate = s.rps === undefined ? '' : `${String(Math.round(s.rps)).padStart(4)} req/s ${s.non2xx ? `(${s.non2xx} non-2xx) ` : ''}`;
  return `  ${s.label ?? `t=${String(s.t).padStart(4)} s`}  ${rate}total ${s.totalMB} MB  ${procs}${heap}`;
}

/** Seeds the data, checks every request of the mix once, runs the soak; returns the report (also logged). */
export async function runSoak({ base, serverPid, inspectorPort, opts, log }) {
  const user = await registerUser(base);
  log('seeding: stream tree, events, shared accesses');
  await seedStreams(base, user);
  const seeding = await seedEvents(base, user, 0, opts.events, opts.seedConcurrency);
  const ctx = { user, ...(await seedAccesses(base, user)) };
  const mix = soakMix(ctx, opts.soakMix);

  // Every request of the mix must succeed before the load: a soak of errors would measure the wrong thing.
  for (const r of mix) {
    const res = await request(base, r.method, r.path, { token: r.token, body: r.body });
    if (res.status >= 300) throw new Error(`soak request ${r.method} ${r.path} answered ${res.status}: ${res.text.slice(0, 300)}`);
  }

  const inspector = await connectInspector(inspectorPort).catch((e) => {
    log(`  no isolate heap figures: ${e.message}`);
    return null;
  });
  const samples = [];
  const window = { responses: 0, non2xx: 0 };
  const take = async (t, extra = {}) => {
    const s = await sample(t, serverPid, inspector, extra);
    samples.push(s);
    log(line(s));
    return s;
  };

  log(`soak: ${opts.soak} s of the "${opts.soakMix}" mix, ${opts.connections} connections, a sample every ${opts.sample} s`);
  await take(0);
  const started = Date.now();
  let lastTick = started;
  const instance = autocannon({
    url: base,
    requests: autocannonRequests(mix),
    connections: opts.connections,
    duration: opts.soak,
    timeout: 10,
  });
  instance.on('response', (_client, status) => {
    window.responses += 1;
    if (status < 200 || status >= 300) window.non2xx += 1;
  });
  const tick = async () => {
    const now = Date.now();
    const counts = { rps: window.responses / ((now - lastTick) / 1000), non2xx: window.non2xx };
    window.responses = 0;
    window.non2xx = 0;
    lastTick = now;
    await take(Math.round((now - started) / 1000), counts);
  };
  const timer = setInterval(tick, opts.sample * 1000);
  const guard = setTimeout(() => instance.stop(), (opts.soak + STOP_SLACK_SECONDS) * 1000);
  const result = await new Promise((resolve, reject) => {
    instance.on('done', resolve);
    instance.on('error', reject);
  });
  clearInterval(timer);
  clearTimeout(guard);
  // A last loaded sample when the interval did not land on the end of the load.
  if (samples[samples.length - 1].t < opts.soak - 1) await tick();
  const loaded = [...samples];

  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const idle = await take(loaded[loaded.length - 1].t + IDLE_SECONDS, { label: `idle ${IDLE_SECONDS} s` });
  inspector?.close();

  const pidsOf = (s) => s.processes.map((p) => p.pid).join(',');
  const restarted = loaded.some((s) => pidsOf(s) !== pidsOf(loaded[0]));
  const rssOf = (role) => (s) => s.processes.find((p) => p.role === role)?.rssMB ?? 0;
  const verdicts = {
    total: plateau(loaded, (s) => s.totalMB),
    ...Object.fromEntries(loaded[0].processes.map((p) => [p.role, plateau(loaded, rssOf(p.role))])),
  };
  if (loaded.every((s) => s.heap)) verdicts['isolate heap (used)'] = plateau(loaded, (s) => s.heap.usedMB);

  return {
    mix: opts.soakMix,
    seconds: opts.soak,
    connections: opts.connections,
    seededEvents: seeding.created,
    requests: result.requests.total,
    non2xx: result.non2xx,
    status5xx: result['5xx'],
    errors: result.errors + result.timeouts,
    restarted,
    samples: loaded,
    idle,
    verdicts,
  };
}

/** The printed summary: the verdict on the total RSS of workerd, then the same window per process and heap. */
export function soakText(report) {
  const out = [`soak: ${report.seconds} s of "${report.mix}", ${report.requests} requests, ${report.non2xx} non-2xx, ${report.status5xx} 5xx, ${report.errors} socket errors`];
  const first = report.samples[0];
  const last = report.samples[report.samples.length - 1];
  out.push(`  workerd RSS (all processes): ${first.totalMB} MB at the start, ${last.totalMB} MB at the end, ${report.idle.totalMB} MB after ${IDLE_SECONDS} s idle`);
  for (const [name, v] of Object.entries(report.verdicts)) {
    if (!v) continue;
    out.push(`  ${name.padEnd(20)} ${v.fromT}→${v.toT} s: ${v.from} → ${v.to} MB (${pct(v.growth)})`);
  }
  const total = report.verdicts.total;
  if (report.restarted) {
    out.push('  a workerd process was replaced during the soak (sources changed?): the figures do not compare');
    out.push('plateau: N/A (workerd restarted)');
  } else if (!total) {
    out.push('plateau: N/A (too few samples)');
  } else {
    out.push(`plateau (workerd RSS, last ${total.windowS} s grows < ${PLATEAU_MAX_GROWTH * 100} %): ${pct(total.growth)}: ${total.pass ? 'PASS' : 'FAIL'}`);
  }
  return out.join('\n');
}
