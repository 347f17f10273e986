/** `callBatch` (§2.12): each call runs in order through the call path under the batch's access; errors are inline. */
import * as v from 'valibot';
import { err, StaleAccessError, toApiError } from '../core/errors';
import { collectPayload } from '../core/payload';
import { jsonObject } from '../core/params';
import { accessMethod, ok } from './table';

/** At most 10,000 items per listed result inside a batch (§2.12, §10); calls per batch: `limits.batchCalls`. */
export const BATCH_RESULT_LIMIT = 10_000;

const callSchema = v.strictObject({
  method: v.string(),
  params: v.union([jsonObject, v.array(v.unknown())]),
});

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
    for (const call of calls) {
      try {
        const result = await ctx.callMethod(call.method, call.params);
        results.push(await collectPayload(result.payload, BATCH_RESULT_LIMIT));
      } catch (e) {
        // A stale cached access before any write: abort so the call path re-resolves and re-runs the batch.
        if (e instanceof StaleAccessError && e.retryable) throw e;
        results.push({ error: toApiError(e).toBody() });
      }
    }
    return ok({ results });
  },
});
