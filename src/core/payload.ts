/** Method payloads: plain values, or lists produced lazily (AsyncIterables) that transports stream or collect. */
import { ApiError } from './errors';

/**
 * A list item already written as JSON (an event SQLite serialised, decision 029). HTTP writes its text as it
 * is; everything that reads items as values (batch, the share page, sockets) gets them parsed by `collectPayload`.
 */
export class JsonText {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** One list item as JSON text. */
export const itemJson = (item: unknown): string => (item instanceof JsonText ? item.text : JSON.stringify(item));

const itemValue = (item: unknown): unknown => (item instanceof JsonText ? JSON.parse(item.text) : item);

/** `{"key":…,…}` of a payload whose values are all plain (no lazy lists), with `extra` keys last. */
export function payloadJson(payload: Record<string, unknown>, extra: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries({ ...payload, ...extra })) {
    if (value === undefined) continue;
    const text = Array.isArray(value) && value.some((x) => x instanceof JsonText) ? `[${value.map(itemJson).join(',')}]` : JSON.stringify(value);
    parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

export const isAsyncIterable = (x: unknown): x is AsyncIterable<unknown> =>
  typeof x === 'object' && x !== null && Symbol.asyncIterator in x;

/** Inside a batch, lazy lists are collected, up to `limit` items (then 413 `too-many-results`). */
export async function collectPayload(payload: Record<string, unknown>, limit: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (!isAsyncIterable(value)) {
      if (value !== undefined) out[key] = Array.isArray(value) ? value.map(itemValue) : value;
      continue;
    }
    const items: unknown[] = [];
    for await (const item of value) {
      if (items.length >= limit) throw new ApiError('too-many-results', `The result has more than ${limit} items; use paging.`, { limit });
      items.push(itemValue(item));
    }
    out[key] = items;
  }
  return out;
}
