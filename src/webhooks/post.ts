/**
 * One webhook POST: `{messages, meta}` signed with the webhook's secret, to a URL the outbound rules allow
 * (checked again now: a name may have changed meaning since creation), no redirects followed, 5 s at most,
 * the answer's body never read.
 */
import { signatureHeader } from '../auth/webhook-signature';
import type { Config } from '../config';
import { meta } from '../core/envelope';
import { outboundUrlProblem } from '../lib/outbound-url';

/** §5.12: a run that takes longer is a failure (status 0). */
export const DELIVERY_TIMEOUT_MS = 5000;

/** `status` is the HTTP status, or 0 for a refused URL, a network error or a timeout (§4.8 `lastRun`). */
export interface PostOutcome {
  status: number;
  ok: boolean;
}

export async function postMessages(config: Config, url: string, secret: string, messages: readonly string[]): Promise<PostOutcome> {
  if (outboundUrlProblem(url, config.webhooks.allowHosts) !== null) return { status: 0, ok: false };
  const body = JSON.stringify({ messages, meta: meta(config) });
  try {
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      headers: {
        'Content-Type': 'application/json',
        'Pryv-Signature': await signatureHeader(secret, body, Math.floor(Date.now() / 1000)),
      },
      body,
    });
    // Only the status matters: the body is dropped unread, whatever its size.
    await res.body?.cancel();
    return { status: res.status, ok: res.status >= 200 && res.status < 300 };
  } catch {
    return { status: 0, ok: false };
  }
}
