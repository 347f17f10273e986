// A fresh local state for one end-to-end server or script: a new folder holding a copy of the state the run
// migrated once (test/e2e/migrated-state-setup.mjs). Servers on it start with `migrate: false`.
import { inject } from 'vitest';
import { copyState, tempStateDir } from '../../scripts/dev-server.mjs';

export function migratedStateDir(prefix?: string): string {
  const dir = tempStateDir(prefix);
  copyState(inject('migratedState'), dir);
  return dir;
}
