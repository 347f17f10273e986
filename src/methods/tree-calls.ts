/**
 * Running a method's D1 work against the cached stream tree: planned on the cached tree, re-planned when D1
 * says the tree (or the row the call read) changed meanwhile. The tree data and its SQL are in
 * src/storage/stream-tree.ts; this is the retry policy around them.
 */
import type { AccessContext } from '../core/context';
import { ApiError, err } from '../core/errors';
import { abortReason } from '../storage/d1-errors';
import { cachedTree, forgetTree, rememberTree, selectStreams, StreamTree, treeVersionCheck } from '../storage/stream-tree';

/** Raised when D1's stream tree is newer than the one a call was planned with. */
export class StaleTreeError extends Error {}

/** Raised when a guarded write finds its row changed since it was read (a concurrent update won). */
export class RowChangedError extends Error {}

/** Re-plans after the tree moved, or after an error decided on a cached tree that a fresh load may undo. */
const TREE_ATTEMPTS = 4;
/**
 * Re-reads after a concurrent write to the same row. Each lost race means another call's write landed, so
 * a call only runs out of attempts under this many writers racing on one row; it then answers 409.
 */
const ROW_ATTEMPTS = 12;

type Stmt = Parameters<AccessContext['run']>[0][number];

/** Runs write statements behind the tree-version check; a moved version or row becomes a retryable error. */
export async function runWrite(ctx: AccessContext, tree: StreamTree, statements: Stmt[]): Promise<unknown[]> {
  try {
    const { results } = await ctx.run([treeVersionCheck(ctx.db, ctx.user.id, tree.version), ...statements]);
    return (results as unknown[]).slice(1);
  } catch (e) {
    const reason = abortReason(e);
    if (reason === 'tree-changed') throw new StaleTreeError();
    if (reason === 'row-changed') throw new RowChangedError();
    // The sweeper may take an upload journaled a day ago (decision 017): its files are gone, so nothing is attached.
    if (reason === 'upload-gone') throw err.invalidOperation('The upload took too long and expired before it was attached; send the files again.');
    throw e;
  }
}

/** Runs read statements; answers planned on an outdated tree are refused with `StaleTreeError`. */
export async function runRead(ctx: AccessContext, tree: StreamTree, statements: Stmt[]): Promise<unknown[]> {
  const { streamsVersion, results } = await ctx.run(statements);
  if (streamsVersion !== tree.version) throw new StaleTreeError();
  return results as unknown[];
}

/** Loads the tree in one round trip and caches it. */
export async function loadTree(ctx: AccessContext): Promise<StreamTree> {
  const { streamsVersion, results } = await ctx.run([selectStreams(ctx.db, ctx.user.id)]);
  const tree = new StreamTree(streamsVersion, results[0]);
  rememberTree(ctx.user.id, tree);
  return tree;
}

/**
 * Runs `write` again while it loses races on its row (`RowChangedError`): each run re-reads the row and
 * re-applies the change to it, so a concurrent change is never silently overwritten. Out of attempts: 409.
 */
export async function retryOnRowChange<R>(write: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      if (!(e instanceof RowChangedError)) throw e;
      if (attempt >= ROW_ATTEMPTS) throw new ApiError('stale-resource', 'The item was changed by another request meanwhile; read it again and retry.');
    }
  }
}

/**
 * Runs `attempt` with the cached tree (loading it when absent); when it turns out stale, reloads and retries.
 * Attempts must do their D1 work through `runRead` / `runWrite` so staleness is detected. An error decided on a
 * cached tree before any round trip (unknown stream, 403…) is only answered once a fresh load confirms the tree.
 * A write that lost a race on its row re-reads the row and re-applies itself (`retryOnRowChange`).
 */
export function withTree<R>(ctx: AccessContext, attempt: (tree: StreamTree) => Promise<R>): Promise<R> {
  return retryOnRowChange(() => withFreshTree(ctx, attempt));
}

async function withFreshTree<R>(ctx: AccessContext, attempt: (tree: StreamTree) => Promise<R>): Promise<R> {
  const cached = cachedTree(ctx.user.id);
  let tree = cached ?? (await loadTree(ctx));
  let fresh = cached === undefined;
  for (let i = 1; ; i++) {
    try {
      return await attempt(tree);
    } catch (e) {
      if (e instanceof RowChangedError || i >= TREE_ATTEMPTS) throw e;
      if (e instanceof StaleTreeError) {
        forgetTree(ctx.user.id);
        tree = await loadTree(ctx);
        fresh = true;
        continue;
      }
      if (fresh) throw e;
      const reloaded = await loadTree(ctx);
      if (reloaded.version === tree.version) throw e;
      tree = reloaded;
      fresh = true;
    }
  }
}
