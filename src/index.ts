import { readConfig, shareConfig } from './config';
import type { Env, WebhookDelivery } from './env';
import { deliverQueued } from './webhooks/deliver';
import { createApp } from './api/http';
import { applyMethodOverride } from './api/method-override';
import { errorResponse } from './api/respond';
import { rewriteSubdomain } from './api/subdomain';
import { corsHeaders } from './api/cors';
import { benchApp, BENCH_PREFIX } from './bench/app';
import { instrumentEnv, withCountHeaders } from './bench/instrument';
import { sweepBlobs } from './storage/blob-sweep';
import { directoryOf } from './storage/directory';
import { purgeExpiredRows } from './storage/expired-rows';
import { longestAttemptWindow } from './auth/sign-in-limits';
import { consumeAuditBatch } from './audit/consumer';
import { runAuditCron } from './audit/cron';

/** The audit queue's name in wrangler.toml: batches from any other queue are webhook deliveries. */
const AUDIT_QUEUE_NAME = 'pryv-edge-audit';

/** The hourly schedule of wrangler.toml's crons (the audit cron); the others only sweep blobs. */
const HOURLY_CRON = '0 * * * *';

/** The per-account Durable Object (real-time sockets): the runtime finds the class among the entry's exports. */
export { AccountObject } from './realtime/account-object';
/** One Durable Object per app authorization request (§5.8). */
export { AuthRequestObject } from './storage/auth-request-object';

const app = createApp();

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const config = readConfig(env);
    try {
      let req = await applyMethodOverride(request);
      const url = new URL(req.url);
      const routed = rewriteSubdomain(url, config);
      if (routed !== url) req = new Request(routed, req);
      if (config.bench) {
        // Benchmark only: storage calls counted per request, and floor-B route (docs/decisions/008-benchmark.md).
        const bench = instrumentEnv(env);
        // Production parses the settings once per isolate; so does the bench, or every request would pay for it.
        shareConfig(bench.env, env);
        const target = routed.pathname.startsWith(BENCH_PREFIX) ? benchApp : app;
        return withCountHeaders(await target.fetch(req, bench.env, ctx), bench.counts);
      }
      return await app.fetch(req, env, ctx);
    } catch (e) {
      // Failures before routing (an oversized override form, say) still get the envelope and CORS headers.
      const res = errorResponse(e, config, corsHeaders(request));
      res.headers.set('API-Version', config.apiVersion);
      res.headers.set('X-Content-Type-Options', 'nosniff');
      return res;
    }
  },

  /**
   * The Worker's queues: webhook deliveries (each message one delivery; a failure to process it, D1 down, is
   * retried by the queue) and audit records (appended to each account's chain, docs/decisions/018-audit-storage.md).
   */
  async queue(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext): Promise<void> {
    if (batch.queue === AUDIT_QUEUE_NAME) {
      await consumeAuditBatch(batch, env);
      return;
    }
    await Promise.all(
      (batch as MessageBatch<WebhookDelivery>).messages.map(async (message) => {
        try {
          await deliverQueued(env, message.body);
          message.ack();
        } catch (e) {
          console.error('webhook delivery failed:', e instanceof Error ? e.message : String(e));
          message.retry();
        }
      }),
    );
  },

  /**
   * The Cron Triggers: every quarter of an hour the blob sweeper deletes the files whose removal a request could
   * not finish (decision 017); on the hour the audit cron also signs checkpoints and enforces retention.
   */
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    const now = controller.scheduledTime / 1000;
    ctx.waitUntil(Promise.all(directoryOf(env).databases().map((db) => sweepBlobs(env.ATTACHMENTS, db, now))));
    if (controller.cron === HOURLY_CRON) {
      const config = readConfig(env);
      const directory = directoryOf(env);
      const window = longestAttemptWindow(config);
      await Promise.all([runAuditCron(env, config, now), ...directory.databases().map((db) => purgeExpiredRows(db, now, window))]);
    }
  },
} satisfies ExportedHandler<Env>;
