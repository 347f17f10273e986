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
  /** Audit records older than this many days are deleted by the cron, at a signed checkpoint (§5.13). */
  auditRetentionDays: number;
  bench: boolean;
}

/** Bumped by hand on releases; wrangler's deployment id is not visible to the Worker. */
export const BUILD_SERIAL = '2026112201';

const list = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);

/** §5.13: audit retention when the operator sets none. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;

/** A whole number ≥ 1, else the default (a misspelt setting never shortens retention to nothing). */
function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : fallback;
}

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
    auditRetentionDays: positiveInt(env.AUDIT_RETENTION_DAYS, DEFAULT_AUDIT_RETENTION_DAYS),
    bench: env.BENCH === '1' || env.BENCH === 'true',
  };
  cache.set(env, config);
  return config;
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
