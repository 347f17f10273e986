/**
 * The queue consumer's work for one message: claim the delivery the message names, POST it, record the run
 * once, and queue the retry of a failure after `minIntervalMs × currentRetries` (§5.12). A message that finds
 * nothing to claim (re-delivered after its run was recorded, superseded, webhook deleted or inactive) is done.
 * No delivery is made for an access that was deleted or has expired, even if the message was already queued:
 * the webhook stops instead.
 */
import { unsealToken } from '../auth/crypto';
import { isExpired } from '../auth/access-rules';
import { tokenKey } from '../auth/session';
import { readConfig } from '../config';
import type { Env, WebhookDelivery } from '../env';
import { newId } from '../lib/ids';
import { dbFor } from '../storage/directory';
import { claimDelivery, recordRun, stopWebhook } from '../storage/webhooks';
import { postMessages } from './post';

export async function deliverQueued(env: Env, message: WebhookDelivery): Promise<void> {
  const config = readConfig(env);
  const db = await dbFor(env, message.username);
  if (!db) return;
  const [claimed] = await claimDelivery(db, message.userId, message.webhookId, message.token);
  if (!claimed) return;
  const now = Date.now() / 1000;
  if (!claimed.accessLive || isExpired({ expires: claimed.accessExpires }, now)) {
    await stopWebhook(db, message.userId, message.webhookId);
    return;
  }
  const secret = await unsealToken(tokenKey(env), claimed.secretSealed);
  const outcome = secret ? await postMessages(config, claimed.url, secret, JSON.parse(claimed.messages) as string[]) : { status: 0, ok: false };
  const retryToken = outcome.ok ? null : newId();
  const [after] = await recordRun(db, message.userId, message.webhookId, message.token, {
    ...outcome,
    time: Date.now() / 1000,
    retryToken,
    maxRetries: config.webhooks.maxRetries,
    minIntervalSeconds: config.webhooks.minIntervalMs / 1000,
  });
  if (after && retryToken !== null && after.scheduleToken === retryToken) {
    const delaySeconds = Math.ceil((config.webhooks.minIntervalMs * after.currentRetries) / 1000);
    await env.WEBHOOKS.send({ ...message, token: retryToken }, { delaySeconds });
  }
}
