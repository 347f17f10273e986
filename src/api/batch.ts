import * as v from 'valibot';
import { ApiError, err, toApiError } from './errors';
import { invoke, issuesData } from './invoke';
import { collectPayload } from './serialize';
import { StaleAccessError } from '../auth/request-guard';
import { REMOVED_METHOD_IDS, UNSHIPPED_METHOD_IDS } from './routes';
import type { AccessContext } from '../methods/context';
import type { MethodDef } from '../methods/table';

/** At most 1,000 calls per batch, and 10,000 items per listed result inside one (§2.12, §10). */
export const BATCH_LIMIT = 1000;
export const BATCH_RESULT_LIMIT = 10_000;

const batchSchema = v.array(v.strictObject({ method: v.string(), params: v.union([v.record(v.string(), v.unknown()), v.array(v.unknown())]) }));

/**
 * `callBatch`: authenticated once by the transport, then each call runs in order through the same method
 * table, with its own authorization; failures are inline and undo nothing.
 */
export async function runBatch(body: unknown, ctx: AccessContext, methods: ReadonlyMap<string, MethodDef>): Promise<unknown[]> {
  if (Array.isArray(body) && body.length > BATCH_LIMIT) {
    throw err.paramsFormat(`A batch holds at most ${BATCH_LIMIT} calls.`, { limit: BATCH_LIMIT });
  }
  const parsed = v.safeParse(batchSchema, body);
  if (!parsed.success) throw err.paramsFormat('The batch must be an array of {method, params} calls.', issuesData(parsed.issues));
  const results: unknown[] = [];
  for (const call of parsed.output) {
    try {
      const def = methods.get(call.method);
      if (REMOVED_METHOD_IDS.has(call.method)) throw err.removed(call.method);
      if (UNSHIPPED_METHOD_IDS.has(call.method)) throw err.unavailable(call.method);
      if (!def || !def.batch || def.auth !== 'access') {
        throw new ApiError('invalid-method', `Method "${call.method}" cannot be called in a batch.`);
      }
      const result = await invoke(def, call.params, { ...ctx, now: Date.now() / 1000 });
      results.push(await collectPayload(result.payload, BATCH_RESULT_LIMIT));
    } catch (e) {
      // A stale cached access before any write: abort so the transport re-resolves and re-runs the batch.
      if (e instanceof StaleAccessError && e.retryable) throw e;
      results.push({ error: toApiError(e).toBody() });
    }
  }
  return results;
}
