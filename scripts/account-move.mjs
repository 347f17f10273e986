// `npm run account:move -- --user alice --to DB_1 [--persist-to DIR]`: moves one account of the local state to
// another shard (freeze, copy, verify, switch the directory entry, delete the source), as described in
// docs/decisions/028-shards-and-directory.md. Like account:export and account:import, it works on `npm start`'s
// local state through wrangler's bindings: stop the server first.
import { parseArgs } from 'node:util';
import { DEFAULT_STATE_DIR, openState } from './account-state.mjs';
import { MoveError, moveAccount } from './account-move-steps.mjs';

const { values } = parseArgs({ options: { user: { type: 'string' }, to: { type: 'string' }, 'persist-to': { type: 'string' } } });
if (!values.user || !values.to) {
  console.error('account:move: --user <username> and --to <shard binding, e.g. DB_1> are required');
  process.exit(2);
}

const { env, dispose } = await openState(values['persist-to'] ?? DEFAULT_STATE_DIR);
try {
  const { from, to } = await moveAccount(env, values.user, values.to, (line) => console.error(`account:move: ${line}`));
  console.error(`account:move: "${values.user}" moved from ${from} to ${to}`);
} catch (e) {
  console.error(`account:move: ${e instanceof MoveError ? e.message : e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await dispose();
}
