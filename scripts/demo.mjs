// `npm run demo`: a first look without writing code. Talks to the server `npm start` runs (same `PORT` and
// `--port`/`--ip` convention), creates a demo account with a few weeks of data and a narrowed shared access,
// then prints its tokens, the share link to open in a browser and curl calls to try next.
import { randomBytes } from 'node:crypto';
import { clientHost } from './dev-server.mjs';
import { demoCalls, SHARED_DAYS, SHARED_TAG, sharedAccess } from './demo-data.mjs';
import { parseStartArgs, StartArgsError } from './start-args.mjs';

const APP_ID = 'pryv-edge-demo';

class DemoError extends Error {}

async function api(base, method, path, { token, body } = {}) {
  let res;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { Authorization: token } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new DemoError(`no server answers on ${base}: start it with \`npm start\` (same PORT or --port) and run the demo again`);
  }
  const json = await res.json();
  if (!res.ok) throw new DemoError(`${method} ${path} answered ${res.status}: ${JSON.stringify(json.error ?? json)}`);
  return json;
}

/** A quoted shell word: the printed commands can be pasted as they are. */
const sh = (text) => `'${text.replace(/'/g, `'\\''`)}'`;

async function runDemo(base, now = Date.now() / 1000) {
  await api(base, 'GET', '/reg/service/info');
  const username = `demo-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(9).toString('base64url');
  const reg = await api(base, 'POST', '/reg/users', { body: { appId: APP_ID, username, password, email: `${username}@example.org` } });
  const token = new URL(reg.apiEndpoint).username;
  const u = `/${username}`;
  const calls = demoCalls(now);
  const { results } = await api(base, 'POST', `${u}/`, { token, body: calls });
  const failed = results.findIndex((r) => r.error);
  if (failed >= 0) throw new DemoError(`demo call ${calls[failed].method} failed: ${JSON.stringify(results[failed].error)}`);
  const { access } = await api(base, 'POST', `${u}/accesses`, { token, body: sharedAccess(now) });
  return { username, password, token, apiEndpoint: reg.apiEndpoint, events: calls.filter((c) => c.method === 'events.create').length, shared: access };
}

function report(base, demo) {
  const auth = (t) => `-H ${sh(`Authorization: ${t}`)}`;
  const at = (path) => sh(`${base}/${demo.username}${path}`);
  return [
    `Demo account created on ${base}`,
    '',
    `  username     ${demo.username}`,
    `  password     ${demo.password}`,
    `  token        ${demo.token}   (personal, app "${APP_ID}")`,
    `  apiEndpoint  ${demo.apiEndpoint}`,
    `  data         streams Health (Weight, Activity, Sleep) and Diary; ${demo.events} events over three weeks`,
    '',
    `Shared access "${demo.shared.name}":`,
    `  Health and below, only events tagged "${SHARED_TAG}", from ${SHARED_DAYS} days ago`,
    `  share link   ${demo.shared.shareUrl}`,
    `  its token    ${demo.shared.token}`,
    '',
    'Open the share link in a browser, or try:',
    `  curl -s ${at('/streams')} ${auth(demo.token)}`,
    `  curl -s ${at('/events?limit=5')} ${auth(demo.token)}`,
    `  curl -s ${at('/events?streams=weight&types=mass/kg')} ${auth(demo.token)}`,
    `  curl -s ${at('/events?tags=weekend')} ${auth(demo.token)}`,
    `  curl -s ${at('/events?limit=100')} ${auth(demo.shared.token)}   # what the coach sees`,
    `  curl -s ${sh(`${base}/openapi.json`)}   # every route, machine-readable`,
    '',
  ].join('\n');
}

async function main(args) {
  const { port, ip, extraArgs } = parseStartArgs(args, process.env);
  if (extraArgs.length > 0) throw new StartArgsError(`unknown argument ${extraArgs[0]} (only --port and --ip)`);
  const base = `http://${clientHost(ip)}:${port}`;
  console.log(report(base, await runDemo(base)));
}

main(process.argv.slice(2)).catch((e) => {
  if (!(e instanceof DemoError || e instanceof StartArgsError)) throw e;
  console.error(`npm run demo: ${e.message}`);
  process.exit(1);
});
