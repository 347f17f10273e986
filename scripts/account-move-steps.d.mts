// Types of scripts/account-move-steps.mjs for the workerd test that runs the move against the Worker. `env` also
// holds the shard bindings by name (DB_0 … DB_n).
export class MoveError extends Error {}
export function moveAccount(
  env: { DIRECTORY: D1Database; ACCESSES: KVNamespace },
  username: string,
  to: string,
  log?: (line: string) => void | Promise<void>,
): Promise<{ from: string; to: string }>;
