/** Method payloads: plain values, or lists produced lazily (AsyncIterables) that transports stream or collect. */
import { ApiError } from './errors';

export const isAsyncIterable = (x: unknown): x is AsyncIterable<unknown> =>
  typeof x === 'object' && x !== null && Symbol.asyncIterator in x;

/** Inside a batch, lazy lists are collected, up to `limit` items (then 413 `too-many-results`). */
export async function collectPayload(payload: Record<string, unknown>, limit: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (!isAsyncIterable(value)) {
      if (value !== undefined) out[key] = value;
      continue;
    }
    const items: unknown[] = [];
    for await (const item of value) {
      if (items.length >= limit) throw new ApiError('too-many-results', `The result has more than ${limit} items; use paging.`, { limit });
      items.push(item);
    }
    out[key] = items;
  }
  return out;
}
