// Starts the Worker locally as users run it: D1 migrations applied to local state, then `wrangler dev`.
// Used by `npm start`, the end-to-end tests and the benchmark. Runs under Node 22 (see package.json).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WRANGLER = path.join(ROOT, 'node_modules', '.bin', 'wrangler');
// Offline by default: no telemetry, no local request log, and no fetch of the `Request.cf` sample from workers.cloudflare.com (the
// Worker does not read `request.cf`; offline that fetch only fails with warnings and delays the first request).
// node_modules/.bin comes first on PATH: wrangler's `#!/usr/bin/env node` must find the Node 22 of the `node`
// devDependency even when this module runs outside `npm run` (on a machine whose own node is 20).
const ENV = {
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  ...process.env,
  PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  WRANGLER_SEND_METRICS: 'false',
  // wrangler dev's local observability stores every request URL (tokens sent as `?auth=` included) in a trace
  // database under the state folder; nothing here reads it, and no raw token may rest on disk (decision 013).
  X_LOCAL_OBSERVABILITY: 'false',
  CI: process.env.CI ?? '',
  NO_COLOR: '1',
};

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh, empty directory for local D1/KV/R2 state (tests and benchmarks start from nothing). */
export function tempStateDir(prefix = 'pryv-edge-') {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** The D1 bindings of wrangler.toml: the directory and every account shard (`DB_0 … DB_n`). */
export function d1Bindings() {
  const toml = readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8');
  return [...toml.matchAll(/^binding = "(DIRECTORY|DB_\d+)"$/gm)].map((m) => m[1]);
}

/**
 * Applies the migrations of each D1 database to the local state in `stateDir` (default `.wrangler/state`): the
 * directory's (`migrations-directory/`) and the shards' (`migrations/`), as wrangler.toml names them. One after the
 * other: wrangler processes side by side on one state folder lock each other out.
 */
export function applyMigrations(stateDir) {
  for (const binding of d1Bindings()) {
    const args = ['d1', 'migrations', 'apply', binding, '--local', '-c', 'wrangler.toml'];
    if (stateDir) args.push('--persist-to', stateDir);
    const res = spawnSync(WRANGLER, args, { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`migrations of ${binding} failed:\n${res.stdout}\n${res.stderr}`);
  }
}

/**
 * Copies a local state folder into `to` (an empty folder). A copy of a state `applyMigrations` prepared once is the
 * state it would prepare again, without its wrangler runs (seconds each): the end-to-end tests start many servers.
 */
export function copyState(from, to) {
  cpSync(from, to, { recursive: true });
}

/** The address a client on this machine uses to reach a server listening on `ip` (any-address → loopback). */
export function clientHost(ip) {
  if (ip === '0.0.0.0' || ip === '*') return '127.0.0.1';
  if (ip === '::' || ip === '[::]') return '[::1]';
  return ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip;
}

/**
 * Starts `wrangler dev` (on 127.0.0.1 unless `ip` says otherwise) and resolves once service info answers.
 * Options: port, ip, stateDir, vars ({NAME: value} passed as --var), logLevel, extraArgs, stdio, timeoutMs, and
 * migrate (default true; false when `stateDir` already holds the migrated schemas, e.g. a `copyState` copy).
 * `extraArgs` must not repeat the flags set here (scripts/start-args.mjs takes them out of `npm start`'s).
 */
export async function startDevServer(opts = {}) {
  const port = opts.port ?? (await freePort());
  const ip = opts.ip ?? '127.0.0.1';
  const extraArgs = opts.extraArgs ?? [];
  if (opts.migrate !== false) applyMigrations(opts.stateDir);
  const args = ['dev', '-c', 'wrangler.toml', '--ip', ip, '--port', String(port), '--log-level', opts.logLevel ?? 'error'];
  // A server on a port picked here may start beside others (tests, benchmarks): its inspector gets a free port too.
  // Left to wrangler, each would take the first free one from 9229, and of two starting together one fails.
  if (opts.port === undefined && !extraArgs.includes('--inspector-port')) args.push('--inspector-port', String(await freePort()));
  if (opts.stateDir) args.push('--persist-to', opts.stateDir);
  for (const [k, v] of Object.entries(opts.vars ?? {})) args.push('--var', `${k}:${v}`);
  args.push(...extraArgs);
  const child = spawn(WRANGLER, args, { cwd: ROOT, env: ENV, stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'], detached: false });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const url = `http://${clientHost(ip)}:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/reg/service/info`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`wrangler dev did not answer within the timeout:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  return { url, port, pid: child.pid, child, stop, output: () => output };
}
