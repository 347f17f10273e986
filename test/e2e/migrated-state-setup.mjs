// vitest globalSetup of the e2e project: one local state migrated for the run (`wrangler d1 migrations apply` of
// the directory and of each shard, as `npm start` does), given to the tests as `migratedState`. Each server then
// starts on its own copy of it (test/e2e/migrated-state.ts): the same fresh state, without three wrangler runs.
import { applyMigrations, removeDir, tempStateDir } from '../../scripts/dev-server.mjs';

export default function setup({ provide }) {
  const dir = tempStateDir('pryv-edge-migrated-');
  applyMigrations(dir);
  provide('migratedState', dir);
  return () => removeDir(dir);
}
