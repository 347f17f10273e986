import { readConfig } from '../config';
import type { PublicContext, RequestInfo } from '../core/context';
import type { Notifier } from '../core/notices';
import type { Env } from '../env';
import { scheduleDeliveries } from '../webhooks/schedule';
import { auditSinkFor } from './audit-sink';
import { notifier as hub } from './hooks';

/**
 * The change feed's consumers: the isolate hub (in-isolate subscribers) and webhook scheduling, which runs
 * after the response (one D1 statement, one queue send) and never fails the request.
 */
function notifierFor(env: Env): Notifier {
  return {
    notify: (notice, waitUntil) => {
      hub.notify(notice, waitUntil);
      waitUntil(
        scheduleDeliveries(env, readConfig(env), notice).catch((e) =>
          console.error('webhook scheduling failed:', e instanceof Error ? e.message : String(e)),
        ),
      );
    },
  };
}

/** The context every call starts from: settings, the request, its time, the change feed and the audit sink (hook and queue). */
export function baseContext(env: Env, request: RequestInfo): PublicContext {
  return { env, config: readConfig(env), request, now: Date.now() / 1000, notifier: notifierFor(env), audit: auditSinkFor(env) };
}
