/** One queued webhook delivery: the webhook and the schedule token naming this delivery. */
export interface WebhookDelivery {
  userId: string;
  username: string;
  webhookId: string;
  token: string;
}

/** Bindings and variables the Worker receives (see wrangler.toml and the README's configuration table). */
export interface Env {
  /**
   * The directory database: which shard holds each username, global uniqueness, share codes, abuse counters, the
   * local mail outbox (src/storage/directory.ts). Accounts live in the shards `DB_0 … DB_n`.
   */
  DIRECTORY: D1Database;
  /** The account shards, as many as wrangler.toml binds (docs/decisions/028-shards-and-directory.md). */
  [shard: `DB_${number}`]: D1Database | undefined;
  ACCESSES: KVNamespace;
  ATTACHMENTS: R2Bucket;
  /** One Durable Object per account (by user id): its real-time sockets (src/realtime/account-object.ts). */
  ACCOUNTS: DurableObjectNamespace;
  /** One Durable Object per app authorization request (by its key): state, answer, consent-page forms. */
  AUTH_REQUESTS: DurableObjectNamespace;
  /** Webhook deliveries (producer and consumer: this Worker). */
  WEBHOOKS: Queue<WebhookDelivery>;
  SERVICE_NAME?: string;
  PUBLIC_URL?: string;
  DOMAIN?: string;
  TRUSTED_APPS?: string;
  /** The consent page of app authorization requests (§5.8); empty = the Worker's own (`{register}auth`). */
  DEFAULT_AUTH_URL?: string;
  /** Comma-separated consent pages an app may name as `authUrl` (§5.8), besides the default. */
  TRUSTED_AUTH_URLS?: string;
  REGISTRATION?: string;
  INVITATION_TOKENS?: string;
  /** Most open real-time sockets per account (default 100). */
  REALTIME_MAX_SOCKETS?: string;
  API_VERSION?: string;
  /** Secret: key sealing the copy of each token that `accesses.get` must return. */
  TOKEN_KEY?: string;
  /** Attachment limits (decimal integers): files per request, bytes per file, bytes per multipart request. */
  ATTACHMENT_MAX_FILES?: string;
  ATTACHMENT_MAX_FILE_BYTES?: string;
  ATTACHMENT_MAX_REQUEST_BYTES?: string;
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
  /** Sign-in attempts per client IP, before D1 counts failures (wrangler.toml `[[ratelimits]]`); optional. */
  SIGN_IN_LIMITER?: RateLimit;
  /** Failed sign-ins (passwords and second-factor codes) per account, and per client IP, in one window (defaults 10 and 50). */
  SIGN_IN_FAILURES_PER_ACCOUNT?: string;
  SIGN_IN_FAILURES_PER_IP?: string;
  /** The sign-in window in seconds (default 900): a locked account or address unlocks when it ends. */
  SIGN_IN_WINDOW_SECONDS?: string;
  /** Registrations per client IP in one window (default 20), and that window in seconds (default 3600). */
  REGISTRATIONS_PER_IP?: string;
  REGISTRATION_WINDOW_SECONDS?: string;
  /** Cloudflare Email Routing `send_email` binding: how password-reset mails leave in production. */
  MAILER?: SendEmail;
  /** Sender address of the mails (must be verified for the `send_email` binding). */
  MAIL_FROM?: string;
  /** `on`: without a MAILER binding, mails go to the local D1 outbox (local runs and tests) instead of nowhere. */
  MAIL_OUTBOX?: string;
  /** Webhooks: bundling window and retry step, in ms (default 5000). */
  WEBHOOK_MIN_INTERVAL_MS?: string;
  /** Webhooks: consecutive failed runs before a webhook becomes inactive (default 5). */
  WEBHOOK_MAX_RETRIES?: string;
  /** Comma-separated hosts webhooks may reach despite the outbound rules (e.g. `127.0.0.1` for local tests). */
  WEBHOOK_ALLOW_HOSTS?: string;
  /** Input limits (docs/limits.md): whole numbers; unset means the default. */
  MAX_JSON_DEPTH?: string;
  MAX_CLIENT_DATA_BYTES?: string;
  MAX_CONTENT_BYTES?: string;
  MAX_NAME_LENGTH?: string;
  MAX_ID_LENGTH?: string;
  MAX_BATCH_CALLS?: string;
  MAX_SKIP?: string;
  MAX_LIMIT?: string;
  /** Queue of audit records: the request's records are sent here after the response; its consumer stores them. */
  AUDIT_QUEUE?: Queue;
  /** Secret: Ed25519 private key (PKCS#8, PEM or base64) that signs audit checkpoints. */
  AUDIT_SIGNING_KEY?: string;
  /** Days audit records are kept (default 365). */
  AUDIT_RETENTION_DAYS?: string;
  /**
   * `on` when read replication is enabled on the shards' D1 databases: reads then start on the nearest replica and
   * ask the account's object whether it saw the latest authorization change (decisions 025, 026, 033). Default
   * `off`: every session starts on the primary and reads make no object call.
   */
  D1_READ_REPLICATION?: string;
  /** Set only by the benchmark: enables the instrumentation and bench-only routes. */
  BENCH?: string;
  /** Bench only: simulated round-trip delays, e.g. `d1=80,replica=5,kv=10,do=10` (src/bench/latency.ts). */
  BENCH_LATENCY?: string;
  /** Bench only: `off` starts every D1 session on the primary (read replication off). */
  BENCH_SESSIONS?: string;
}
