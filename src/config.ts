import * as v from 'valibot';
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
  bench: boolean;
  /** Limits of multipart requests (§2.6, §5.5); null when the operator's values are invalid (uploads answer 503). */
  attachments: AttachmentLimits | null;
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

/** Bumped by hand on releases; wrangler's deployment id is not visible to the Worker. */
export const BUILD_SERIAL = '2026112201';

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
    bench: env.BENCH === '1' || env.BENCH === 'true',
    attachments: attachmentLimits(env),
  };
  cache.set(env, config);
  return config;
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
