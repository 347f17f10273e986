import type { Env } from './env';

export type RegistrationMode = 'open' | 'closed' | 'invitation';

/** Operator settings, parsed once per isolate from the Worker's variables. */
export interface Config {
  serviceName: string;
  /** Canonical public URL ending in "/", or null to derive it from each request (local runs). */
  publicUrl: string | null;
  /** Subdomain mode domain, or null for path mode. */
  domain: string | null;
  trustedApps: string[];
  registration: RegistrationMode;
  invitationTokens: string[];
  apiVersion: string;
  serial: string;
  /** Most open real-time sockets (plain and Socket.IO together) per account. */
  realtimeMaxSockets: number;
  bench: boolean;
}

/** Bumped by hand on releases; wrangler's deployment id is not visible to the Worker. */
export const BUILD_SERIAL = '2026112201';

/** Default cap on one account's open real-time sockets (§5.14 limits). */
export const DEFAULT_REALTIME_MAX_SOCKETS = 100;

const list = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);

const cache = new WeakMap<object, Config>();

export function readConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const publicUrl = env.PUBLIC_URL ? withSlash(env.PUBLIC_URL) : null;
  const domain = env.DOMAIN ? env.DOMAIN.toLowerCase() : null;
  const mode = (env.REGISTRATION ?? 'open').toLowerCase();
  const config: Config = {
    serviceName: env.SERVICE_NAME || 'Pryv Edge',
    publicUrl,
    domain,
    trustedApps: list(env.TRUSTED_APPS),
    registration: mode === 'closed' ? 'closed' : mode === 'invitation' ? 'invitation' : 'open',
    invitationTokens: list(env.INVITATION_TOKENS),
    apiVersion: env.API_VERSION || '2.0.0',
    serial: env.SERIAL || BUILD_SERIAL,
    realtimeMaxSockets: positiveInt(env.REALTIME_MAX_SOCKETS) ?? DEFAULT_REALTIME_MAX_SOCKETS,
    bench: env.BENCH === '1' || env.BENCH === 'true',
  };
  cache.set(env, config);
  return config;
}

function positiveInt(value: string | undefined): number | null {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : null;
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
