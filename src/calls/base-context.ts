import { readConfig } from '../config';
import type { PublicContext, RequestInfo } from '../core/context';
import type { Env } from '../env';
import { auditSinkFor } from './audit-sink';
import { notifier } from './hooks';

/** The context every call starts from: settings, the request, its time, the isolate's change hook, and the audit sink (hook and queue). */
export function baseContext(env: Env, request: RequestInfo): PublicContext {
  return { env, config: readConfig(env), request, now: Date.now() / 1000, notifier, audit: auditSinkFor(env) };
}
