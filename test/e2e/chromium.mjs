// Headless Chromium from Debian's `chromium` package, for the browser end-to-end tests (driven by playwright-core).
// Plain JS (typed by chromium.d.mts) because the TypeScript project has no Node typings.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../../scripts/dev-server.mjs';

export const CHROMIUM = '/usr/bin/chromium';

/** Launches Chromium (playwright gives it a fresh temporary profile); fails, never skips, when the package is missing. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium); .ci/run does`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { browser, close: () => browser.close() };
}

/** Path of a screenshot under test/artifacts/ (git-ignored), creating the folder. */
export function artifactPath(name) {
  const dir = path.join(ROOT, 'test', 'artifacts');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
