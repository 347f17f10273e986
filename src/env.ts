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
  /** Input limits (docs/limits.md): whole numbers; unset means the default. */
  MAX_JSON_DEPTH?: string;
  MAX_CLIENT_DATA_BYTES?: string;
  MAX_CONTENT_BYTES?: string;
  MAX_NAME_LENGTH?: string;
  MAX_ID_LENGTH?: string;
  MAX_BATCH_CALLS?: string;
  MAX_SKIP?: string;
  MAX_LIMIT?: string;
  /** Set only by the benchmark: enables the instrumentation and bench-only routes. */
  BENCH?: string;
}
