// Runs the official `pryv` client's own mocha tests (node_modules/pryv/test) against our server.
//   node scripts/pryv-suite.mjs                      starts the Worker (fresh local state) like `npm start`
//   node scripts/pryv-suite.mjs --url http://127.0.0.1:8787/reg/service/info   uses a server already running
//   --json <file>   also writes {passed, failed, pending, excluded, failures} there (the e2e test reads it)
//   --all           ignores the exclusion list (shows what the SECOND/LATER tiers would still need)
//   --addons        runs the mocha tests that the `@pryv/socket.io` and `@pryv/monitor` add-ons ship instead
//   --migrated-state <dir>   starts the Worker on a copy of that already migrated local state (the e2e tests' one)
// Exit code 0 when no selected test fails.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import Mocha from 'mocha';
import { ROOT, copyState, removeDir, startDevServer, tempStateDir } from './dev-server.mjs';

const require = createRequire(import.meta.url);
const PRYV_TESTS = path.join(ROOT, 'node_modules', 'pryv', 'test');

/** The client test files that exercise the server: accesses, connection, streams, account, service, register, two-factor sign-in, password reset and app authorization requests. */
export const SELECTED_FILES = [
  'Accesses.test.js',
  'Account.test.js',
  'Connection.test.js',
  'Connection.edge-cases.test.js',
  'Streams.test.js',
  'Service.test.js',
  'ServiceAssets.test.js',
  'Service.userExists.test.js',
  'Service.userIdForEmail.test.js',
  'Service.createUser.test.js',
  'Service.hostings.test.js',
  'Service.mfa.test.js',
  'Service.passwordReset.test.js',
  'Service.accessRequest.test.js',
];
// Not selected: the server-less unit tests (buildSearchParams, utils, json-parser, PryvError, LoginMessages,
// CookieUtils), and
// the browser-only files (Browser*, AuthController, LoginButton), which need a real browser page.

/**
 * Tests left out, by full mocha title, each with its reason. Only features our server deliberately answers
 * 451 `unavailable-method` for (spec §1.2 tiers), or tests that need a browser the Node run does not have.
 * None today: the attachment tests [CATA] and [CATB] run since attachments shipped.
 */
export const EXCLUDED = {};

/** The add-ons' own tests, as their npm tarballs ship them: Socket.IO transport and the Monitor (§5.14). */
export const ADDON_SUITES = [
  { dir: path.join(ROOT, 'node_modules', '@pryv', 'socket.io'), files: ['test/socket.io.test.js'] },
  { dir: path.join(ROOT, 'node_modules', '@pryv', 'monitor'), files: ['test/monitor.test.js', 'test/monitor-edge-cases.test.js', 'test/socket.test.js', 'test/timer.test.js'] },
];
export const ADDON_FILES = ADDON_SUITES.flatMap((s) => s.files.map((f) => path.join(s.dir, f)));

/** Add-on tests left out, by full mocha title, each with its reason (none until a run shows one). */
export const ADDON_EXCLUDED = {};

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs the selected files with mocha against the service at `serviceInfoUrl`; resolves with the figures. */
export async function runPryvSuite({ serviceInfoUrl, files = SELECTED_FILES, exclude = EXCLUDED, reporter = 'spec', cwdDir = path.join(ROOT, 'node_modules', 'pryv') }) {
  // test/test-data.js reads the URL when first loaded; the client's tests reach it through `require` and `testData`.
  process.env.PRYV_SERVICE_INFO_URL = serviceInfoUrl;
  // Service.test.js's error cases assert rejections (`rejectedWith`); ServiceAssets and the browser mock build a DOM.
  chai.use(chaiAsPromised);
  globalThis.expect = chai.expect;
  globalThis.JSDOM = require('jsdom').JSDOM;
  globalThis.pryv = require('pryv');
  globalThis.testData = require(path.join(ROOT, 'test', 'test-data.js'));

  const titles = Object.keys(exclude);
  const mocha = new Mocha({ reporter, timeout: 15_000, color: false });
  if (titles.length) mocha.grep(new RegExp(`^(?:${titles.map(escapeRegExp).join('|')})$`)).invert();
  // Relative names are the pryv client's test files; the add-ons' are absolute.
  for (const f of files) mocha.addFile(path.resolve(PRYV_TESTS, f));
  await mocha.loadFilesAsync();

  const result = { files, passed: [], failed: [], pending: [], excluded: exclude, failures: [] };
  // The client's tests open fixtures such as './test/Y.png' relative to their own package.
  const cwd = process.cwd();
  process.chdir(cwdDir);
  await new Promise((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (t) => result.passed.push(t.fullTitle()));
    runner.on('pending', (t) => result.pending.push(t.fullTitle()));
    runner.on('fail', (t, err) => {
      result.failed.push(t.fullTitle());
      result.failures.push({ title: t.fullTitle(), error: String(err?.stack ?? err).slice(0, 2000) });
    });
  }).finally(() => process.chdir(cwd));
  return result;
}

/**
 * Runs this script in a child Node process (mocha wants its own process and globals) and resolves with its exit
 * code, its output and its figures (undefined when the run broke before writing them). Used by the e2e test.
 */
export function runPryvSuiteProcess(args = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pryv-suite-json-'));
  const jsonFile = path.join(dir, 'result.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--json', jsonFile, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      let result;
      try {
        result = JSON.parse(readFileSync(jsonFile, 'utf8'));
      } catch {
        // no figures: the run itself broke; `output` says why
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, output, result });
    });
  });
}

async function main() {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, json: { type: 'string' }, all: { type: 'boolean' }, addons: { type: 'boolean' }, 'migrated-state': { type: 'string' } },
  });
  let server;
  let stateDir;
  let serviceInfoUrl = values.url;
  if (!serviceInfoUrl) {
    stateDir = tempStateDir('pryv-suite-');
    const migrated = values['migrated-state'];
    if (migrated) copyState(migrated, stateDir);
    server = await startDevServer({ stateDir, migrate: !migrated, vars: { TOKEN_KEY: 'pryv-suite-token-key-not-secret' } });
    serviceInfoUrl = `${server.url}/reg/service/info`;
  }
  let result;
  try {
    result = values.addons
      ? await runPryvSuite({ serviceInfoUrl, files: ADDON_FILES, exclude: values.all ? {} : ADDON_EXCLUDED, cwdDir: ADDON_SUITES[1].dir })
      : await runPryvSuite({ serviceInfoUrl, exclude: values.all ? {} : EXCLUDED });
  } finally {
    await server?.stop();
    if (stateDir) removeDir(stateDir);
  }
  const excluded = Object.keys(result.excluded).length;
  console.log(
    `\n${values.addons ? 'pryv add-ons (socket.io, monitor) suite' : 'pryv client suite'}: ${result.passed.length} passed, ${result.failed.length} failed, ${result.pending.length} skipped by the suite itself, ${excluded} excluded by title`,
  );
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
  // Exit now: a socket a test left open (Socket.IO clients retry for a minute) would keep the process alive.
  process.exit(result.failed.length ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
