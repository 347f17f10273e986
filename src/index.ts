import { readConfig } from './config';
import type { Env, WebhookDelivery } from './env';
import { deliverQueued } from './webhooks/deliver';
import { createApp } from './api/http';
import { applyMethodOverride } from './api/method-override';
import { errorResponse } from './api/respond';
import { rewriteSubdomain } from './api/subdomain';
import { corsHeaders } from './api/cors';
import { benchApp, BENCH_PREFIX } from './bench/app';
import { instrumentEnv, withCountHeaders } from './bench/instrument';

/** The per-account Durable Object (real-time sockets): the runtime finds the class among the entry's exports. */
export { AccountObject } from './realtime/account-object';

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
        const target = routed.pathname.startsWith(BENCH_PREFIX) ? benchApp : app;
        return withCountHeaders(await target.fetch(req, bench.env, ctx), bench.counts);
      }
      return await app.fetch(req, env, ctx);
    } catch (e) {
      // Failures before routing (an oversized override form, say) still get the envelope and CORS headers.
      const res = errorResponse(e, config, corsHeaders(request));
      res.headers.set('API-Version', config.apiVersion);
      return res;
    }
  },

  /** Webhook deliveries: each message is one delivery; a failure to process it (D1 down) is retried by the queue. */
  async queue(batch: MessageBatch<WebhookDelivery>, env: Env): Promise<void> {
    await Promise.all(
      batch.messages.map(async (message) => {
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
} satisfies ExportedHandler<Env, WebhookDelivery>;
