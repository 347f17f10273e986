// `npm start`: local D1 migrations, a local TOKEN_KEY secret in .dev.vars (created once), then `wrangler dev`
// on http://127.0.0.1:${PORT:-8787}. Arguments after `npm start --` go to `wrangler dev`; `--port`, `--ip`,
// `--log-level` and `--persist-to` among them are read here, since the launcher sets those itself.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ROOT, startDevServer } from './dev-server.mjs';
import { parseStartArgs, StartArgsError } from './start-args.mjs';

// The first run compiles the Worker and creates local state: slow on a small machine.
const STARTUP_TIMEOUT_MS = 120_000;

let options;
try {
  options = parseStartArgs(process.argv.slice(2), process.env);
} catch (e) {
  if (!(e instanceof StartArgsError)) throw e;
  console.error(`npm start: ${e.message}`);
  process.exit(2);
}

const devVars = path.join(ROOT, '.dev.vars');
const current = existsSync(devVars) ? readFileSync(devVars, 'utf8') : '';
if (!/^TOKEN_KEY=/m.test(current)) {
  writeFileSync(devVars, `${current}${current && !current.endsWith('\n') ? '\n' : ''}TOKEN_KEY=${randomBytes(32).toString('hex')}\n`);
}

const server = await startDevServer({ logLevel: 'info', ...options, stdio: 'inherit', timeoutMs: STARTUP_TIMEOUT_MS });
console.log(`\nPryv Edge API listening on ${server.url}  (service info: ${server.url}/reg/service/info)\n`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => process.exit(code ?? 0));
