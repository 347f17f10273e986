import * as v from 'valibot';
import { DEFAULT_LIMITS, LIMIT_CEILINGS, type Limits } from './core/limits';
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
  /** App authorization requests (§5.8): the consent page (null: the Worker's own) and the others apps may name. */
  access: { defaultAuthUrl: string | null; trustedAuthUrls: string[] };
  registration: RegistrationMode;
  invitationTokens: string[];
  apiVersion: string;
  serial: string;
  /** Most open real-time sockets (plain and Socket.IO together) per account. */
  realtimeMaxSockets: number;
  /** Audit records older than this many days are deleted by the cron, at a signed checkpoint (§5.13). */
  auditRetentionDays: number;
  bench: boolean;
  /** Whether the shards have D1 read replication enabled: reads may then start on a replica (decision 033). */
  readReplication: boolean;
  /** Limits of multipart requests (§2.6, §5.5); null when the operator's values are invalid (uploads answer 503). */
  attachments: AttachmentLimits | null;
  /** Largest serialized profile set, in bytes (§5.10: 413 beyond). */
  profileMaxBytes: number;
  /** Whether `/reg/{email}/uid` and `/reg/{email}/check_email` answer (else 410, as before they shipped). */
  emailLookup: boolean;
  /** `service/info.assets.definitions` set by the operator, or null for the Worker's own `/assets/index.json`. */
  assetsUrl: string | null;
  webhooks: { minIntervalMs: number; maxRetries: number; allowHosts: string[] };
  /** Failed sign-in and registration limits (src/auth/sign-in-limits.ts). */
  abuseLimits: {
    signInFailuresPerAccount: number;
    signInFailuresPerIp: number;
    signInWindowSeconds: number;
    registrationsPerIp: number;
    registrationWindowSeconds: number;
  };
  /** Password-reset mails: sender address, and whether the local outbox stands in for a missing MAILER binding. */
  mail: { from: string; outbox: boolean };
  /** Input limits (docs/limits.md). */
  limits: Readonly<Limits>;
}

export interface AttachmentLimits {
  /** Files in one request (`events.create` with files, `events.addAttachment`). */
  maxFiles: number;
  /** Bytes of one file. */
  maxFileBytes: number;
  /** Bytes of one multipart request body, parts' headers and the event JSON included. */
  maxRequestBytes: number;
}

/** Defaults: 10 files, 100 MB per file and per request (§10). */
export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = {
  maxFiles: 10,
  maxFileBytes: 100 * 1024 * 1024,
  maxRequestBytes: 100 * 1024 * 1024,
};

/** An operator's count or size: decimal digits, at least 1. */
const positiveInteger = v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number), v.minValue(1));

function attachmentLimits(env: Env): AttachmentLimits | null {
  const read = (value: string | undefined, fallback: number) => (value === undefined || value === '' ? fallback : v.parse(positiveInteger, value));
  try {
    return {
      maxFiles: read(env.ATTACHMENT_MAX_FILES, DEFAULT_ATTACHMENT_LIMITS.maxFiles),
      maxFileBytes: read(env.ATTACHMENT_MAX_FILE_BYTES, DEFAULT_ATTACHMENT_LIMITS.maxFileBytes),
      maxRequestBytes: read(env.ATTACHMENT_MAX_REQUEST_BYTES, DEFAULT_ATTACHMENT_LIMITS.maxRequestBytes),
    };
  } catch {
    console.error('invalid ATTACHMENT_MAX_* setting: uploads are refused until it is fixed');
    return null;
  }
}

/** Profile sets are small key-value documents: 64 kB each unless the operator says otherwise. */
export const DEFAULT_PROFILE_MAX_BYTES = 64 * 1024;

/** Bumped by hand on releases; wrangler's deployment id is not visible to the Worker. */
export const BUILD_SERIAL = '2026112201';

/** Default cap on one account's open real-time sockets (§5.14 limits). */
export const DEFAULT_REALTIME_MAX_SOCKETS = 100;

const list = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);

/** Webhook defaults (§4.8). */
export const DEFAULT_WEBHOOK_MIN_INTERVAL_MS = 5000;
export const DEFAULT_WEBHOOK_MAX_RETRIES = 5;

const positiveInt = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isInteger(n) && n > 0 ? n : fallback;
};

/** Abuse-limit defaults (docs/decisions/021-sign-in-surface.md). */
export const DEFAULT_SIGN_IN_FAILURES_PER_ACCOUNT = 10;
export const DEFAULT_SIGN_IN_FAILURES_PER_IP = 50;
export const DEFAULT_SIGN_IN_WINDOW_SECONDS = 15 * 60;
export const DEFAULT_REGISTRATIONS_PER_IP = 20;
export const DEFAULT_REGISTRATION_WINDOW_SECONDS = 3600;

/** §5.13: audit retention when the operator sets none. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;

const cache = new WeakMap<object, Config>();

/**
 * A copy of `env` that only wraps bindings (the bench's per-request instrumentation) reads the original's
 * parsed settings instead of parsing them again on every request.
 */
export function shareConfig(copy: Env, original: Env): void {
  cache.set(copy, readConfig(original));
}

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
    access: { defaultAuthUrl: env.DEFAULT_AUTH_URL ? env.DEFAULT_AUTH_URL : null, trustedAuthUrls: list(env.TRUSTED_AUTH_URLS) },
    registration: mode === 'closed' ? 'closed' : mode === 'invitation' ? 'invitation' : 'open',
    invitationTokens: list(env.INVITATION_TOKENS),
    apiVersion: env.API_VERSION || '2.0.0',
    serial: env.SERIAL || BUILD_SERIAL,
    realtimeMaxSockets: positiveInt(env.REALTIME_MAX_SOCKETS, DEFAULT_REALTIME_MAX_SOCKETS),
    auditRetentionDays: positiveInt(env.AUDIT_RETENTION_DAYS, DEFAULT_AUDIT_RETENTION_DAYS),
    bench: env.BENCH === '1' || env.BENCH === 'true',
    readReplication: (env.D1_READ_REPLICATION ?? 'off').toLowerCase() === 'on',
    attachments: attachmentLimits(env),
    profileMaxBytes: positiveInt(env.PROFILE_MAX_BYTES, DEFAULT_PROFILE_MAX_BYTES),
    emailLookup: (env.EMAIL_LOOKUP ?? 'on').toLowerCase() !== 'off',
    assetsUrl: env.ASSETS_URL ? env.ASSETS_URL : null,
    webhooks: {
      minIntervalMs: positiveInt(env.WEBHOOK_MIN_INTERVAL_MS, DEFAULT_WEBHOOK_MIN_INTERVAL_MS),
      maxRetries: positiveInt(env.WEBHOOK_MAX_RETRIES, DEFAULT_WEBHOOK_MAX_RETRIES),
      allowHosts: list(env.WEBHOOK_ALLOW_HOSTS).map((h) => h.toLowerCase()),
    },
    abuseLimits: {
      signInFailuresPerAccount: positiveInt(env.SIGN_IN_FAILURES_PER_ACCOUNT, DEFAULT_SIGN_IN_FAILURES_PER_ACCOUNT),
      signInFailuresPerIp: positiveInt(env.SIGN_IN_FAILURES_PER_IP, DEFAULT_SIGN_IN_FAILURES_PER_IP),
      signInWindowSeconds: positiveInt(env.SIGN_IN_WINDOW_SECONDS, DEFAULT_SIGN_IN_WINDOW_SECONDS),
      registrationsPerIp: positiveInt(env.REGISTRATIONS_PER_IP, DEFAULT_REGISTRATIONS_PER_IP),
      registrationWindowSeconds: positiveInt(env.REGISTRATION_WINDOW_SECONDS, DEFAULT_REGISTRATION_WINDOW_SECONDS),
    },
    mail: { from: env.MAIL_FROM || 'no-reply@localhost', outbox: (env.MAIL_OUTBOX ?? '').toLowerCase() === 'on' },
    limits: readLimits(env),
  };
  cache.set(env, config);
  return config;
}

/** The variable that sets each limit. */
export const LIMIT_VARS = {
  jsonDepth: 'MAX_JSON_DEPTH',
  clientDataBytes: 'MAX_CLIENT_DATA_BYTES',
  contentBytes: 'MAX_CONTENT_BYTES',
  nameLength: 'MAX_NAME_LENGTH',
  idLength: 'MAX_ID_LENGTH',
  batchCalls: 'MAX_BATCH_CALLS',
  skip: 'MAX_SKIP',
  limit: 'MAX_LIMIT',
} as const satisfies Record<keyof Limits, keyof Env>;

/**
 * Each limit from its variable: a whole number from 1 to its ceiling. Anything else keeps the default and
 * says so in the log, rather than failing every request of the deployment.
 */
function readLimits(env: Env): Readonly<Limits> {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_VARS) as (keyof Limits)[]) {
    // A TOML number in [vars] arrives as a number, a string anywhere else.
    const raw = String(env[LIMIT_VARS[key]] ?? '').trim();
    if (raw === '') continue;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= 1 && value <= LIMIT_CEILINGS[key]) limits[key] = value;
    else console.warn(`${LIMIT_VARS[key]}="${raw}" is not a whole number from 1 to ${LIMIT_CEILINGS[key]}: using ${DEFAULT_LIMITS[key]}.`);
  }
  return Object.freeze(limits);
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
