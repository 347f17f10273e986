#!/usr/bin/env node
// Writes docs/openapi.json from the method table (src/openapi/document.ts), the same code that serves
// GET /openapi.json. The TypeScript is bundled for Node with the esbuild that wrangler already depends on.
//
//   node scripts/build-openapi.mjs             write docs/openapi.json
//   node scripts/build-openapi.mjs --check     fail if docs/openapi.json is not what the build would write
//   node scripts/build-openapi.mjs --out FILE  write (or with --check, compare) another file
//
// See docs/decisions/010-openapi-from-the-method-table.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(ROOT, 'src', 'openapi', 'document.ts');
const DEFAULT_OUT = path.join(ROOT, 'docs', 'openapi.json');
/** The committed copy describes the server `npm start` runs; the served copy names the server that answers. */
const LOCAL_SERVER = 'http://127.0.0.1:8787';

function option(args, name) {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  if (!args[i + 1]) throw new Error(`${name} expects a value`);
  return args[i + 1];
}

/** Bundles src/openapi/document.ts into a temporary ES module and imports it. */
export async function loadGenerator() {
  // wrangler's own esbuild: found from wrangler's folder, wherever npm placed it.
  const esbuild = createRequire(createRequire(import.meta.url).resolve('wrangler/package.json'))('esbuild');
  const dir = mkdtempSync(path.join(tmpdir(), 'pryv-openapi-'));
  try {
    const outfile = path.join(dir, 'document.mjs');
    await esbuild.build({ entryPoints: [ENTRY], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error' });
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function renderOpenApi() {
  const { buildOpenApi, withServer } = await loadGenerator();
  return `${JSON.stringify(withServer(buildOpenApi(), LOCAL_SERVER, 'npm start (local)'), null, 2)}\n`;
}

async function main(args) {
  const out = path.resolve(option(args, '--out') ?? DEFAULT_OUT);
  const text = await renderOpenApi();
  const shown = path.relative(process.cwd(), out) || out;
  if (args.includes('--check')) {
    let current = null;
    try {
      current = readFileSync(out, 'utf8');
    } catch {
      // missing: reported below as out of date
    }
    if (current !== text) {
      console.error(`${shown} is out of date with the method table: run \`npm run build:openapi\` and commit it.`);
      process.exit(1);
    }
    console.log(`${shown} is up to date`);
    return;
  }
  writeFileSync(out, text);
  console.log(`wrote ${shown}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
