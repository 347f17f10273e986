// Types of scripts/dev-server.mjs for the TypeScript tests that import it (the end-to-end tests).
export const ROOT: string;
export function freePort(): Promise<number>;
export function tempStateDir(prefix?: string): string;
export function removeDir(dir: string): void;
export function applyMigrations(stateDir?: string): void;
export function copyState(from: string, to: string): void;
export function clientHost(ip: string): string;

export interface DevServerOptions {
  port?: number;
  ip?: string;
  stateDir?: string;
  vars?: Record<string, string>;
  logLevel?: string;
  extraArgs?: string[];
  stdio?: unknown;
  timeoutMs?: number;
  /** false: `stateDir` already holds the migrated schemas (a `copyState` copy of a migrated state). */
  migrate?: boolean;
}

export interface DevServer {
  url: string;
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
  output(): string;
}

export function startDevServer(opts?: DevServerOptions): Promise<DevServer>;
