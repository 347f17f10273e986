import { defineConfig } from 'drizzle-kit';

// Generates the directory database's migrations (docs/decisions/028-shards-and-directory.md) from its schema file.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/storage/directory-schema.ts',
  out: './migrations-directory',
});
