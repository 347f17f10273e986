/** Bindings and variables the Worker receives (see wrangler.toml and the README's configuration table). */
export interface Env {
  DB: D1Database;
  ACCESSES: KVNamespace;
  ATTACHMENTS: R2Bucket;
  /** One Durable Object per account (by user id): its real-time sockets (src/realtime/account-object.ts). */
  ACCOUNTS: DurableObjectNamespace;
  SERVICE_NAME?: string;
  PUBLIC_URL?: string;
  DOMAIN?: string;
  TRUSTED_APPS?: string;
  REGISTRATION?: string;
  INVITATION_TOKENS?: string;
  /** Most open real-time sockets per account (default 100). */
  REALTIME_MAX_SOCKETS?: string;
  API_VERSION?: string;
  /** Secret: key sealing the copy of each token that `accesses.get` must return. */
  TOKEN_KEY?: string;
  /** Changes with every deployment; defaults to the build's serial. */
  SERIAL?: string;
  /** Set only by the benchmark: enables the instrumentation and bench-only routes. */
  BENCH?: string;
}
