import { applyD1Migrations, env } from 'cloudflare:test';

// Runs before each test file: the real schema, from the same migrations `wrangler d1 migrations apply` uses.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
