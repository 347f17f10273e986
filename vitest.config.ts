import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Two projects, both run by `npm test`:
// - workers: every `test/**/*.test.ts` inside workerd, against the Worker with real (miniflare) D1, KV and R2;
// - e2e: `test/e2e/**/*.e2e.ts` in Node, against `wrangler dev` over loopback HTTP with the `pryv` client.
// Suite speed (docs/decisions/031-test-suite-speed.md): at least two files run at a time (vitest's default on a
// 2-core machine is one), and the workers project keeps its workerd runtime from one file to the next.
const MIN_PARALLEL_FILES = 2;

export default defineConfig({
  test: {
    // Most of an e2e file's time is waiting on its own wrangler processes: another file runs meanwhile.
    maxWorkers: Math.max(MIN_PARALLEL_FILES, availableParallelism() - 1),
    projects: [
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              // Tests run with three shards: wrangler.toml's DB_0 and DB_1, and DB_2 here (docs/decisions/028).
              // DB_LAGGING_REPLICA is for test/lagging-replica.ts: a copy of a shard taken at one moment, answering a
              // simulated replica's reads.
              d1Databases: { DB_2: 'pryv-edge-2', DB_LAGGING_REPLICA: 'lagging-replica' },
              // A real (emulated) `send_email` binding under another name: the password-reset test hands it to the
              // Worker as MAILER, while every other test keeps the local outbox.
              email: { send_email: [{ name: 'TEST_MAILER' }] },
              bindings: {
                TOKEN_KEY: 'test-token-key-not-secret',
                // Webhook tests deliver to a receiver on loopback (test/webhook-receiver-setup.mjs), quickly.
                WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
                WEBHOOK_MIN_INTERVAL_MS: '1000',
                WEBHOOK_MAX_RETRIES: '3',
                // A test-only Ed25519 key (PKCS#8, base64) for audit checkpoints; never used anywhere else.
                AUDIT_SIGNING_KEY: 'MC4CAQAwBQYDK2VwBCIEIJsKGjpLZ9SUm5DQJGCXA7P3ZTxfzRPI9p1hsBzhThD7',
                TEST_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url))),
                TEST_DIRECTORY_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL('./migrations-directory', import.meta.url))),
              },
            },
          })),
        ],
        test: {
          name: 'workers',
          // One runtime (miniflare and its storage) serves file after file instead of a new one per file (~1 s
          // each): test files share the D1/KV/R2/DO state, so each works on accounts of its own (newUser).
          isolate: false,
          include: ['test/**/*.test.ts'],
          // Headroom for a loaded 2-core CI machine (a 1,000-call batch, seeding fixtures); not a speed check.
          testTimeout: 30_000,
          setupFiles: ['./test/apply-migrations.ts'],
          globalSetup: ['./test/webhook-receiver-setup.mjs'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.ts'],
          environment: 'node',
          // Starting wrangler dev (and, for the demo, its migrations) takes seconds on a small CI machine.
          hookTimeout: 180_000,
          testTimeout: 60_000,
          // Migrates one local state for the run; each server starts on a copy of it (test/e2e/migrated-state.ts).
          globalSetup: ['./test/e2e/migrated-state-setup.mjs'],
        },
      },
    ],
  },
});
