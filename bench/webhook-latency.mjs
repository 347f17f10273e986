// `npm run bench:webhooks`: webhook delivery latency, change → POST received, through wrangler dev's local
// queue. One account, one webhook, SAMPLES changes spaced past the bundling window so each is its own
// delivery; prints p50/p99 and the share of it that is the bundling window itself (docs/performance.md).
import { randomBytes } from 'node:crypto';
import { removeDir, startDevServer, tempStateDir } from '../scripts/dev-server.mjs';
import { startReceiver } from '../scripts/webhook-receiver.mjs';
import { request } from './client.mjs';

/** Changes measured, and the bundling window of this run (the smallest a queue delay can express: 1 s). */
const SAMPLES = 30;
const MIN_INTERVAL_MS = 1000;
/** Wait past the window between changes, so deliveries never bundle. */
const SPACING_MS = MIN_INTERVAL_MS + 400;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const stateDir = tempStateDir('pryv-edge-hookbench-');
const receiver = await startReceiver();
const server = await startDevServer({
  stateDir,
  vars: { TOKEN_KEY: randomBytes(32).toString('hex'), WEBHOOK_ALLOW_HOSTS: '127.0.0.1', WEBHOOK_MIN_INTERVAL_MS: String(MIN_INTERVAL_MS) },
});
try {
  const base = server.url;
  const username = `hookbench${Date.now().toString(36)}`;
  const reg = await request(base, 'POST', '/reg/users', { body: { appId: 'bench-app', username, password: 'bench-password', email: `${username}@example.org` } });
  const personal = new URL(reg.body.apiEndpoint).username;
  await request(base, 'POST', `/${username}/streams`, { token: personal, body: { id: 'b', name: 'B' } });
  const app = (await request(base, 'POST', `/${username}/accesses`, { token: personal, body: { type: 'app', name: 'bench', permissions: [{ streamId: 'b', level: 'manage' }] } })).body.access;
  const key = `bench${Date.now().toString(36)}`;
  await request(base, 'POST', `/${username}/webhooks`, { token: app.token, body: { url: `${receiver.url}/hook/${key}` } });
  const latencies = [];
  for (let i = 0; i < SAMPLES; i++) {
    const sent = Date.now();
    await request(base, 'POST', `/${username}/events`, { token: app.token, body: { streamIds: ['b'], type: 'note/txt', content: `n${i}` } });
    let log = [];
    while (log.length <= i && Date.now() - sent < 10_000) {
      await new Promise((r) => setTimeout(r, 20));
      log = await (await fetch(`${receiver.url}/log/${key}`)).json();
    }
    if (log.length <= i) throw new Error(`change ${i} was not delivered within 10 s`);
    latencies.push(log[i].time * 1000 - sent);
    await new Promise((r) => setTimeout(r, Math.max(0, SPACING_MS - (Date.now() - sent))));
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(`webhook delivery latency, change → POST received (${SAMPLES} changes, minIntervalMs ${MIN_INTERVAL_MS}):`);
  console.log(`  p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms`);
  console.log(`  beyond the bundling window: p50 ${(percentile(sorted, 50) - MIN_INTERVAL_MS).toFixed(0)} ms, p99 ${(percentile(sorted, 99) - MIN_INTERVAL_MS).toFixed(0)} ms`);
} finally {
  await server.stop();
  await receiver.close();
  removeDir(stateDir);
}
