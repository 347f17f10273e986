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
  /** Attachment limits (decimal integers): files per request, bytes per file, bytes per multipart request. */
  ATTACHMENT_MAX_FILES?: string;
  ATTACHMENT_MAX_FILE_BYTES?: string;
  ATTACHMENT_MAX_REQUEST_BYTES?: string;
  /** Changes with every deployment; defaults to the build's serial. */
  SERIAL?: string;
  /** Set only by the benchmark: enables the instrumentation and bench-only routes. */
  BENCH?: string;
}
