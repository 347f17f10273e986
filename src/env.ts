/** Bindings and variables the Worker receives (see wrangler.toml and the README's configuration table). */
export interface Env {
  DB: D1Database;
  ACCESSES: KVNamespace;
  ATTACHMENTS: R2Bucket;
  SERVICE_NAME?: string;
  PUBLIC_URL?: string;
  DOMAIN?: string;
  TRUSTED_APPS?: string;
  REGISTRATION?: string;
  INVITATION_TOKENS?: string;
  API_VERSION?: string;
  /** Secret: key sealing the copy of each token that `accesses.get` must return. */
  TOKEN_KEY?: string;
  /** Changes with every deployment; defaults to the build's serial. */
  SERIAL?: string;
  /** Largest profile set in bytes (default 65536). */
  PROFILE_MAX_BYTES?: string;
  /** `off` turns the register's e-mail lookups back into 410 `removed-method`. */
  EMAIL_LOOKUP?: string;
  /** URL of the service assets' `index.json`; default: the Worker's own `/assets/index.json`. */
  ASSETS_URL?: string;
  /** The repository's `assets/` folder (Workers static assets). */
  ASSETS?: Fetcher;
  /** Rate limit of the e-mail lookups, per client IP (wrangler.toml `[[ratelimits]]`). */
  EMAIL_LOOKUP_LIMITER?: RateLimit;
  /** Set only by the benchmark: enables the instrumentation and bench-only routes. */
  BENCH?: string;
}
