// Headless Chromium for the browser end-to-end tests (driven by playwright-core). Debian's `chromium` package
// when it is installed; otherwise the Chromium build shipped inside the `@sparticuz/chromium` devDependency,
// so `npm install && npm test` needs nothing installed by hand.
// Plain JS (typed by chromium.d.mts) because the TypeScript project has no Node typings.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../../scripts/dev-server.mjs';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps dialling out, and a closed network refuses it.
const COMMON_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// The packaged build's serverless defaults that would weaken what the share-page test checks (CSP, origins).
const UNSAFE_PACKAGED_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content']);

/** Which Chromium to run: `{source, executablePath, args}`. The packaged one is unpacked once, to the temp dir. */
export async function chromiumBinary() {
  if (existsSync(SYSTEM_CHROMIUM)) return { source: 'debian', executablePath: SYSTEM_CHROMIUM, args: ['--headless', ...COMMON_ARGS] };
  const { default: packaged } = await import('@sparticuz/chromium');
  packaged.setGraphicsMode = false; // no WebGL needed; skips the SwiftShader flags
  const args = packaged.args.filter((a) => !UNSAFE_PACKAGED_ARGS.has(a));
  return { source: '@sparticuz/chromium', executablePath: await packaged.executablePath(), args: [...args, ...COMMON_ARGS] };
}

/** Launches Chromium (playwright gives it a fresh temporary profile); fails, never skips, when none can start. */
export async function launchChromium() {
  const binary = await chromiumBinary();
  let browser;
  try {
    browser = await chromium.launch({ executablePath: binary.executablePath, headless: true, args: binary.args });
  } catch (e) {
    // An interrupted first unpack leaves a truncated binary behind that the package would reuse forever.
    const hint = binary.source === 'debian' ? '' : ` (if ${binary.executablePath} is a truncated unpack, delete it and run again)`;
    throw new Error(`Chromium from ${binary.source} did not start${hint}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { browser, source: binary.source, close: () => browser.close() };
}

/** Path of a screenshot under test/artifacts/ (git-ignored), creating the folder. */
export function artifactPath(name) {
  const dir = path.join(ROOT, 'test', 'artifacts');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
