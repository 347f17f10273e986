// `npm start`: local D1 migrations, local TOKEN_KEY and AUDIT_SIGNING_KEY secrets in .dev.vars (created once), then `wrangler dev`
// on http://127.0.0.1:${PORT:-8787}. Arguments after `npm start --` go to `wrangler dev`; `--port`, `--ip`,
// `--log-level` and `--persist-to` among them are read here, since the launcher sets those itself.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
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
/** Adds `name` to .dev.vars unless it is there: a local secret made once, kept across runs. */
function ensureDevVar(name, make) {
  const current = existsSync(devVars) ? readFileSync(devVars, 'utf8') : '';
  if (new RegExp(`^${name}=`, 'm').test(current)) return;
  writeFileSync(devVars, `${current}${current && !current.endsWith('\n') ? '\n' : ''}${name}=${make()}\n`);
}
ensureDevVar('TOKEN_KEY', () => randomBytes(32).toString('hex'));
// Signs the audit chain checkpoints (Ed25519, PKCS#8 as base64).
ensureDevVar('AUDIT_SIGNING_KEY', () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'));

const server = await startDevServer({ logLevel: 'info', ...options, stdio: 'inherit', timeoutMs: STARTUP_TIMEOUT_MS });
console.log(`\nPryv Edge API listening on ${server.url}  (service info: ${server.url}/reg/service/info)\n`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => process.exit(code ?? 0));
