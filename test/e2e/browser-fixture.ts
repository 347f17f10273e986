// A `wrangler dev` with fresh local state (a copy of the run's migrated state) and a headless Chromium for one test file, started in parallel
// before its tests; whichever started is stopped by afterAll even if the other failed.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { removeDir, startDevServer, type DevServer } from '../../scripts/dev-server.mjs';
import { launchChromium } from './chromium.mjs';
import { E2E_TOKEN_KEY } from './dev-server-fixture';
import { migratedStateDir } from './migrated-state';

export interface BrowserRun {
  readonly server: DevServer;
  readonly browser: Browser;
}

export function useDevServerAndBrowser(vars: Record<string, string> = {}): BrowserRun {
  const current: { server?: DevServer; stateDir?: string; browser?: Browser; close?: () => Promise<void> } = {};
  beforeAll(async () => {
    current.stateDir = migratedStateDir();
    const [started, launched] = await Promise.allSettled([
      startDevServer({ stateDir: current.stateDir, migrate: false, vars: { TOKEN_KEY: E2E_TOKEN_KEY, ...vars } }),
      launchChromium(),
    ]);
    if (started.status === 'fulfilled') current.server = started.value;
    if (launched.status === 'fulfilled') ({ browser: current.browser, close: current.close } = launched.value);
    for (const r of [started, launched]) if (r.status === 'rejected') throw r.reason;
  });
  afterAll(async () => {
    await current.close?.();
    await current.server?.stop();
    if (current.stateDir) removeDir(current.stateDir);
  });
  return {
    get server() {
      return current.server!;
    },
    get browser() {
      return current.browser!;
    },
  };
}

/** One API request that must succeed: a JSON body or a multipart form; throws with the answer otherwise. */
export async function apiCall(baseUrl: string, method: string, pathname: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) {
  const isForm = body instanceof FormData;
  const res = await fetch(`${baseUrl}${pathname}`, {
    method,
    headers: { ...headers, ...(token ? { Authorization: token } : {}), ...(body !== undefined && !isForm ? { 'Content-Type': 'application/json' } : {}) },
    body: isForm ? body : body !== undefined ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as any;
  if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
