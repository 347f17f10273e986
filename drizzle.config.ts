import { defineConfig } from 'drizzle-kit';

// Generates SQL migrations for `wrangler d1 migrations apply` from the one schema file.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/storage/schema.ts',
  out: './migrations',
});
