import { readConfig } from './config';
import type { Env } from './env';
import { createApp } from './api/http';
import { applyMethodOverride } from './api/method-override';
import { errorResponse } from './api/respond';
import { rewriteSubdomain } from './api/subdomain';
import { corsHeaders } from './api/cors';

const app = createApp();

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const config = readConfig(env);
    try {
      let req = await applyMethodOverride(request);
      const url = new URL(req.url);
      const routed = rewriteSubdomain(url, config);
      if (routed !== url) req = new Request(routed, req);
      return await app.fetch(req, env, ctx);
    } catch (e) {
      // Failures before routing (an oversized override form, say) still get the envelope and CORS headers.
      const res = errorResponse(e, config, corsHeaders(request));
      res.headers.set('API-Version', config.apiVersion);
      return res;
    }
  },
} satisfies ExportedHandler<Env>;
