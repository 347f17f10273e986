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
  /** Queue of audit records: the request's records are sent here after the response; its consumer stores them. */
  AUDIT_QUEUE?: Queue;
  /** Secret: Ed25519 private key (PKCS#8, PEM or base64) that signs audit checkpoints. */
  AUDIT_SIGNING_KEY?: string;
  /** Days audit records are kept (default 365). */
  AUDIT_RETENTION_DAYS?: string;
  /** Set only by the benchmark: enables the instrumentation and bench-only routes. */
  BENCH?: string;
}
