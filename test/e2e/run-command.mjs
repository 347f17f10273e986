// Runs the project's Node scripts and printed shell commands from the end-to-end tests, capturing their output.
// Plain JS (typed by run-command.d.mts) because the TypeScript project has no Node typings.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../scripts/dev-server.mjs';

function run(command, args, env, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * `node scripts/{name} …args` with the Node running the tests; `PORT` is left out unless given in `env`; `input`,
 * when given, is its stdin.
 */
export function runScript(name, args = [], env = {}, input = undefined) {
  const { PORT: _ignored, ...base } = process.env;
  return run(process.execPath, [path.join(ROOT, 'scripts', name), ...args], { ...base, ...env }, input);
}

/** One command line through bash, as a person would paste it. */
export function runShell(line) {
  return run('bash', ['-c', line], process.env);
}
