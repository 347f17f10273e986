// `npm start`: local D1 migrations, a local TOKEN_KEY secret in .dev.vars (created once), then `wrangler dev`
// on http://127.0.0.1:${PORT:-8787}. Arguments after `npm start --` go to `wrangler dev`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ROOT, startDevServer } from './dev-server.mjs';

const devVars = path.join(ROOT, '.dev.vars');
const current = existsSync(devVars) ? readFileSync(devVars, 'utf8') : '';
if (!/^TOKEN_KEY=/m.test(current)) {
  writeFileSync(devVars, `${current}${current && !current.endsWith('\n') ? '\n' : ''}TOKEN_KEY=${randomBytes(32).toString('hex')}\n`);
}

const port = Number(process.env.PORT ?? 8787);
const server = await startDevServer({ port, logLevel: 'info', extraArgs: process.argv.slice(2), stdio: 'inherit', timeoutMs: 120_000 });
console.log(`\nPryv Edge API listening on ${server.url}  (service info: ${server.url}/reg/service/info)\n`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => process.exit(code ?? 0));
