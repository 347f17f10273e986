import type { Config } from '../config';
import { meta } from '../core/envelope';
import { toApiError } from '../core/errors';
import { isAsyncIterable } from '../core/payload';
import { streamPayload } from './serialize';
import type { MethodResult } from '../core/context';

const JSON_TYPE = 'application/json; charset=utf-8';

/** A method result as an HTTP answer; lazily produced lists are streamed. */
export function resultResponse(result: MethodResult, config: Config, headers: Record<string, string> = {}): Response {
  const status = result.status ?? 200;
  const h = { 'Content-Type': JSON_TYPE, ...headers };
  if (Object.values(result.payload).some(isAsyncIterable)) {
    return new Response(streamPayload(result.payload, () => meta(config)), { status, headers: h });
  }
  return new Response(JSON.stringify({ ...result.payload, meta: meta(config) }), { status, headers: h });
}

export function errorResponse(e: unknown, config: Config, headers: Record<string, string> = {}): Response {
  const error = toApiError(e);
  return new Response(JSON.stringify({ error: error.toBody(), meta: meta(config) }), {
    status: error.status,
    headers: { 'Content-Type': JSON_TYPE, ...error.headers, ...headers },
  });
}
