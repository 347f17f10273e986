// One `wrangler dev` with fresh local state per test file (a copy of the run's migrated state, migrated-state.ts):
// started before its tests, stopped and removed after.
import { afterAll, beforeAll } from 'vitest';
import { removeDir, startDevServer, type DevServer } from '../../scripts/dev-server.mjs';
import { migratedStateDir } from './migrated-state';

export const E2E_TOKEN_KEY = 'e2e-token-key-not-secret';

export interface E2eServer {
  readonly server: DevServer;
  readonly stateDir: string;
}

/** `vars` are extra Worker variables for this server (operator settings under test). */
export function useDevServer(vars: Record<string, string> = {}): E2eServer {
  const current: { server?: DevServer; stateDir?: string } = {};
  beforeAll(async () => {
    current.stateDir = migratedStateDir();
    current.server = await startDevServer({ stateDir: current.stateDir, migrate: false, vars: { TOKEN_KEY: E2E_TOKEN_KEY, ...vars } });
  });
  afterAll(async () => {
    await current.server?.stop();
    if (current.stateDir) removeDir(current.stateDir);
  });
  return {
    get server() {
      return current.server!;
    },
    get stateDir() {
      return current.stateDir!;
    },
  };
}

/** One JSON request to the server: status and parsed body (`headers` adds to the JSON and token ones). */
export async function jsonCall(method: string, url: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  const all: Record<string, string> = { 'Content-Type': 'application/json', ...headers };
  if (token) all.Authorization = token;
  const res = await fetch(url, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}
