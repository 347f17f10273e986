/** `callBatch` (§2.12): each call runs in order through the call path under the batch's access; errors are inline. */
import * as v from 'valibot';
import { err, StaleAccessError, toApiError } from '../core/errors';
import { collectPayload } from '../core/payload';
import { jsonObject } from '../core/params';
import type { AccessContext } from '../core/context';
import { joinsRoundTrip, runMergedCalls } from './batch-plan';
import { accessMethod, ok } from './table';

/** At most 10,000 items per listed result inside a batch (§2.12, §10); calls per batch: `limits.batchCalls`. */
export const BATCH_RESULT_LIMIT = 10_000;

const callSchema = v.strictObject({
  method: v.string(),
  params: v.union([jsonObject, v.array(v.unknown())]),
});

type Call = v.InferOutput<typeof callSchema>;

export const callBatchMethod = accessMethod({
  id: 'callBatch',
  params: v.array(callSchema),
  who: ['personal', 'app', 'shared'],
  // Not inside a batch: `callBatch` in a batch answers `invalid-method`.
  batch: false,
  audited: false,
  precheck: (raw, ctx) => {
    const limit = ctx.config.limits.batchCalls;
    if (Array.isArray(raw) && raw.length > limit) throw err.paramsFormat(`A batch holds at most ${limit} calls.`, { limit });
  },
  handler: async (ctx, calls) => {
    const results: unknown[] = [];
    const answer = (outcome: { value?: unknown; error?: unknown }) => {
      // A stale cached access before any write: abort so the call path re-resolves and re-runs the batch.
      if (outcome.error instanceof StaleAccessError && outcome.error.retryable) throw outcome.error;
      results.push('error' in outcome && outcome.error !== undefined ? { error: toApiError(outcome.error).toBody() } : outcome.value);
    };
    const runCall = async (call: Call, run?: AccessContext['run']) =>
      collectPayload((await ctx.callMethod(call.method, call.params, run)).payload, BATCH_RESULT_LIMIT);
    let i = 0;
    while (i < calls.length) {
      if (joinsRoundTrip(calls[i].method, calls[i].params)) {
        // Consecutive one-round-trip calls share one D1 round trip (decision 022).
        const { outcomes, next } = await runMergedCalls(ctx, calls, i, runCall);
        for (const outcome of outcomes) answer(outcome);
        i = next;
        continue;
      }
      try {
        answer({ value: await runCall(calls[i]) });
      } catch (error) {
        answer({ error });
      }
      i += 1;
    }
    return ok({ results });
  },
});
