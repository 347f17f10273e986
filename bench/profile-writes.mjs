// `npm exec -- node bench/profile-writes.mjs` (Node 22, as npm scripts get it): CPU profile of the Worker
// isolate (V8's sampling profiler through wrangler dev's inspector) while it serves writes: callBatch of 1,000
// events.create, then single events.create and events.update over HTTP. Prints the functions with the most
// self time per phase (docs/performance.md, "Writes").
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startDevServer } from '../scripts/dev-server.mjs';
import { request } from './client.mjs';
import { connectInspector } from './inspector.mjs';
import { registerUser, seedEvents, seedStreams } from './seed.mjs';

const TOP = 25;
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'pryv-edge-profile-'));
const inspectorPort = await freePort();
const server = await startDevServer({ stateDir, logLevel: 'error', vars: { TOKEN_KEY: randomBytes(32).toString('hex') }, extraArgs: ['--inspector-port', String(inspectorPort)] });

/** Self time per function (name, file:line), from the profile's samples. */
function hottest(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const { callFrame: f } = byId.get(id);
    const key = `${f.functionName || '(anonymous)'} ${path.basename(f.url || '')}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
}

async function profiled(label, inspector, work) {
  await inspector.startProfile();
  const started = Date.now();
  await work();
  const seconds = (Date.now() - started) / 1000;
  const profile = await inspector.stopProfile();
  console.log(`\n== ${label} (${seconds.toFixed(1)} s)`);
  if (profile) {
    writeFileSync(path.join(os.tmpdir(), `pryv-edge-${label.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile));
    console.log(hottest(profile).join('\n'));
  } else console.log('no profile (inspector did not answer)');
}

try {
  const user = await registerUser(server.url);
  await seedStreams(server.url, user);
  await seedEvents(server.url, user, 0, 2000, 1);
  const inspector = await connectInspector(inspectorPort);
  await profiled('callBatch 5 x 1000 events.create', inspector, () => seedEvents(server.url, user, 2000, 7000, 1));
  const body = { streamIds: ['r3-c1-g2'], type: 'mass/kg', content: 72.5, tags: ['t3'] };
  const ids = [];
  await profiled('300 events.create', inspector, async () => {
    for (let i = 0; i < 300; i++) ids.push((await request(server.url, 'POST', `/${user.username}/events`, { token: user.token, body })).body.event.id);
  });
  await profiled('300 events.update', inspector, async () => {
    for (const id of ids) await request(server.url, 'PUT', `/${user.username}/events/${id}`, { token: user.token, body: { content: 73 } });
  });
  inspector.close();
} finally {
  await server.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
