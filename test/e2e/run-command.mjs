// Runs the project's Node scripts and printed shell commands from the end-to-end tests, capturing their output.
// Plain JS (typed by run-command.d.mts) because the TypeScript project has no Node typings.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../scripts/dev-server.mjs';

function run(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** `node scripts/{name} …args` with the Node running the tests; `PORT` is left out unless given in `env`. */
export function runScript(name, args = [], env = {}) {
  const { PORT: _ignored, ...base } = process.env;
  return run(process.execPath, [path.join(ROOT, 'scripts', name), ...args], { ...base, ...env });
}

/** One command line through bash, as a person would paste it. */
export function runShell(line) {
  return run('bash', ['-c', line], process.env);
}
