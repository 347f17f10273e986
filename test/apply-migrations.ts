import { applyD1Migrations, env } from 'cloudflare:test';
import { shardsOf } from '../src/storage/directory';

// Runs before each test file: the real schemas, from the same migrations `wrangler d1 migrations apply` uses, on
// the directory and on every shard (three in tests: DB_0, DB_1, DB_2). The runtime and its storage serve file after
// file (isolate: false, docs/decisions/031-test-suite-speed.md): the first file applies them, the next find them
// applied.
await applyD1Migrations(env.DIRECTORY, env.TEST_DIRECTORY_MIGRATIONS);
for (const shard of shardsOf(env)) await applyD1Migrations(shard.d1, env.TEST_MIGRATIONS);
