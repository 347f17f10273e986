import { readConfig } from './config';
import type { Env } from './env';
import { createApp } from './api/http';
import { applyMethodOverride } from './api/method-override';
import { errorResponse } from './api/respond';
import { rewriteSubdomain } from './api/subdomain';
import { corsHeaders } from './api/cors';
import { benchApp, BENCH_PREFIX } from './bench/app';
import { instrumentEnv, withCountHeaders } from './bench/instrument';
import { sweepBlobs } from './storage/blob-sweep';
import { directoryOf } from './storage/directory';

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
      res.headers.set('X-Content-Type-Options', 'nosniff');
      return res;
    }
  },

  /** The cron trigger: deletes the files whose removal a request could not finish (decision 017). */
  async scheduled(_event: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    const now = Date.now() / 1000;
    ctx.waitUntil(Promise.all(directoryOf(env).databases().map((db) => sweepBlobs(env.ATTACHMENTS, db, now))));
  },
} satisfies ExportedHandler<Env>;
