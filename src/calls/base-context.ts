import { readConfig } from '../config';
import type { PublicContext, RequestInfo } from '../core/context';
import type { Env } from '../env';
import { auditSink, notifier } from './hooks';

/** The context every call starts from: settings, the request, its time, and the isolate's change and audit hooks. */
export function baseContext(env: Env, request: RequestInfo): PublicContext {
  return { env, config: readConfig(env), request, now: Date.now() / 1000, notifier, audit: auditSink };
}
