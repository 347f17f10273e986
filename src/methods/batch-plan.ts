/**
 * The round-trip plan of `callBatch` (§2.12, decision 022): consecutive calls whose D1 work is one round trip
 * (`events.create`, `events.get` of one page, `events.getOne`) are started in order, each up to its D1 request,
 * and their statements go to D1 as ONE guarded batch, in call order (D1 runs a batch's statements one after
 * the other, so each call sees the ones before it). Consecutive event inserts are merged into set-based
 * statements (src/storage/event-inserts.ts).
 *
 * A D1 batch is atomic but a `callBatch` is not: when the merged round trip fails (a used event id, a stream
 * tree that moved), nothing of it was written, and every call's own statements are run again one call after
 * the other, so each call gets exactly the answer it would have had alone. A call that needs a second round
 * trip after the merged one (rare: a tree changed by another request) gets it directly, in call order.
 */
import type { AccessContext } from '../core/context';
import { StaleAccessError } from '../core/errors';
import { mergeEventInserts } from '../storage/event-inserts';
import { cachedTree } from '../storage/stream-tree';
import { loadTree } from './tree-calls';

type Run = AccessContext['run'];
type Stmt = Parameters<Run>[0][number];
type RunOutput = { streamsVersion: number; results: unknown[] };

/** Largest one-page `events.get` that joins a merged round trip (further pages would be read after later calls' writes). */
const ONE_PAGE = 1000;
/**
 * Statements per merged round trip before merging inserts (1,000 `events.create` are 3,000, merged into a
 * handful); a larger plan is split into several round trips.
 */
export const MAX_PLANNED_STATEMENTS = 3000;

/** Calls whose whole D1 work is one round trip, so they can share one with their neighbours. */
export function joinsRoundTrip(method: string, params: unknown): boolean {
  if (method === 'events.create' || method === 'events.getOne') return true;
  if (method !== 'events.get' || typeof params !== 'object' || params === null || Array.isArray(params)) return false;
  const p = params as Record<string, unknown>;
  if (p.fromTime === undefined && p.toTime === undefined && p.limit === undefined) return true;
  return typeof p.limit === 'number' && p.limit <= ONE_PAGE;
}

/** One call of a merged round trip: its statements, once it asked, and how its D1 request is answered. */
class Slot {
  statements: Stmt[] | null = null;
  /** After the merged round trip: further requests go straight to D1. */
  direct = false;
  private answer: { resolve: (out: RunOutput) => void; reject: (e: unknown) => void } | null = null;
  private wake: () => void = () => undefined;
  /** Settles when the call has asked for D1 (or finished). */
  asked: Promise<void>;
  done: Promise<{ value?: Record<string, unknown>; error?: unknown }>;

  constructor(ctx: AccessContext, start: (run: Run) => Promise<Record<string, unknown>>) {
    this.asked = new Promise((resolve) => (this.wake = resolve));
    const run = ((statements: Stmt[]) => {
      if (this.direct) return ctx.run(statements as never);
      this.statements = [...statements];
      const answered = new Promise<RunOutput>((resolve, reject) => (this.answer = { resolve, reject }));
      this.wake();
      return answered;
    }) as Run;
    this.done = start(run).then(
      (value) => ({ value }),
      (error) => ({ error }),
    );
    void this.done.then(() => this.wake());
  }

  /** Answers the pending request, then lets the call finish; later requests of the call go straight to D1. */
  async settle(outcome: { out: RunOutput } | { error: unknown }) {
    const answer = this.answer;
    this.direct = true;
    this.answer = null;
    if (answer) {
      if ('out' in outcome) answer.resolve(outcome.out);
      else answer.reject(outcome.error);
    }
    return this.done;
  }
}

/**
 * Runs `calls[from…]` while they join one round trip, up to the statement budget: returns each call's outcome
 * in order and the index of the first call not run.
 */
export async function runMergedCalls<C extends { method: string; params: unknown }>(
  ctx: AccessContext,
  calls: readonly C[],
  from: number,
  run: (call: C, d1: Run) => Promise<Record<string, unknown>>,
): Promise<{ outcomes: { value?: Record<string, unknown>; error?: unknown }[]; next: number }> {
  // A cold tree would make every call load it first: one load for all of them.
  if (cachedTree(ctx.user.id) === undefined) await loadTree(ctx);
  const slots: Slot[] = [];
  let planned = 0;
  let next = from;
  while (next < calls.length && planned < MAX_PLANNED_STATEMENTS && joinsRoundTrip(calls[next].method, calls[next].params)) {
    const call = calls[next];
    const slot = new Slot(ctx, (d1) => run(call, d1));
    await slot.asked;
    slots.push(slot);
    planned += slot.statements?.length ?? 0;
    next += 1;
  }
  const asking = slots.filter((s) => s.statements !== null);
  const treeVersion = cachedTree(ctx.user.id)?.version;
  let shared: RunOutput[] | null = null;
  if (asking.length > 0) {
    try {
      shared = await runShared(ctx, asking.map((s) => s.statements as Stmt[]));
      // Reads planned on an outdated tree would each re-plan after later calls ran: replay them in order instead.
      if (treeVersion !== undefined && shared[0].streamsVersion !== treeVersion) shared = null;
    } catch (e) {
      if (e instanceof StaleAccessError && e.retryable) throw e;
      shared = null;
    }
  }
  const outcomes: { value?: Record<string, unknown>; error?: unknown }[] = [];
  let k = 0;
  for (const slot of slots) {
    if (slot.statements === null) {
      outcomes.push(await slot.settle({ error: undefined }));
      continue;
    }
    const mine = k++;
    if (shared) {
      outcomes.push(await slot.settle({ out: shared[mine] }));
      continue;
    }
    // Replay: this call's statements alone, after the previous call finished.
    let outcome: { out: RunOutput } | { error: unknown };
    try {
      outcome = { out: (await ctx.run(slot.statements as never)) as RunOutput };
    } catch (error) {
      if (error instanceof StaleAccessError && error.retryable) throw error;
      outcome = { error };
    }
    outcomes.push(await slot.settle(outcome));
  }
  return { outcomes, next };
}

/** The statement lists of several calls in one guarded round trip, split back per call. */
async function runShared(ctx: AccessContext, lists: Stmt[][]): Promise<RunOutput[]> {
  const plan = mergeEventInserts(ctx.db, lists);
  const { streamsVersion, results } = await ctx.run(plan.statements as never);
  return plan.split(results as unknown[]).map((r) => ({ streamsVersion, results: r }));
}
