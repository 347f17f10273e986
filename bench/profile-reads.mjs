// `npm exec -- node bench/profile-reads.mjs [--only a,b]` (Node 22): CPU profile of the Worker isolate (V8's
// sampling profiler through wrangler dev's inspector) while it serves the events.get shapes of the benchmark,
// 200 requests each, at 20,000 events. Prints the functions with the most self time per shape.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startDevServer } from '../scripts/dev-server.mjs';
import { request } from './client.mjs';
import { hottest } from './profile-summary.mjs';
import { connectInspector } from './inspector.mjs';
import { registerUser, seedAccesses, seedEvents, seedStreams } from './seed.mjs';
import { scenarios } from './scenarios.mjs';

const TOP = 25;
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'pryv-edge-profile-'));
const inspectorPort = await freePort();
const server = await startDevServer({ stateDir, logLevel: 'error', vars: { TOKEN_KEY: randomBytes(32).toString('hex') }, extraArgs: ['--inspector-port', String(inspectorPort)] });

async function profiled(label, inspector, work) {
  await inspector.startProfile();
  const started = Date.now();
  await work();
  const seconds = (Date.now() - started) / 1000;
  const profile = await inspector.stopProfile();
  console.log(`\n== ${label} (${seconds.toFixed(1)} s)`);
  if (profile) {
    writeFileSync(path.join(os.tmpdir(), `pryv-edge-${label.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile));
    console.log(hottest(profile, TOP).join('\n'));
  } else console.log('no profile (inspector did not answer)');
}

const only = (process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : 'eventsGet').split(',');
const REQUESTS = 200;

try {
  const user = await registerUser(server.url);
  await seedStreams(server.url, user);
  await seedEvents(server.url, user, 0, 20_000, 4);
  const ctx = { user, small: 0, large: 20_000, ...(await seedAccesses(server.url, user)) };
  const inspector = await connectInspector(inspectorPort);
  for (const s of scenarios(ctx).filter((x) => x.phase === 'large' && x.method === 'GET' && only.some((w) => x.id.includes(w)))) {
    await request(server.url, s.method, s.path, { token: s.token });
    await profiled(s.id, inspector, async () => {
      for (let i = 0; i < REQUESTS; i++) await request(server.url, s.method, s.path, { token: s.token });
    });
  }
  inspector.close();
} finally {
  await server.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
