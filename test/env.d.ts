import type { D1Migration } from 'cloudflare:test';
import type { Env as WorkerEnv } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      TEST_DIRECTORY_MIGRATIONS: D1Migration[];
      /** The third shard, tests only (vitest.config.ts). */
      DB_2: D1Database;
      /** The simulated replica's database (test/lagging-replica.ts). */
      DB_LAGGING_REPLICA: D1Database;
      /** Miniflare's emulated `send_email` binding (vitest.config.ts), passed as MAILER by the password-reset test. */
      TEST_MAILER: SendEmail;
    }
  }
}

declare module 'vitest' {
  interface ProvidedContext {
    /** Base URL of the webhook receiver started by test/webhook-receiver-setup.mjs. */
    receiverUrl: string;
    /** A local state folder with every migration applied, made once per run by test/e2e/migrated-state-setup.mjs. */
    migratedState: string;
  }
}
