/** `GET /openapi.json`: no token; built once per isolate, with the answering server as its only server. */
import { buildOpenApi, withServer } from './document';

/** The document only changes with a deploy. */
const CACHE = 'public, max-age=3600';

let built: Record<string, unknown> | undefined;
let last: { server: string; json: string } | undefined;

export function serveOpenApi(baseUrl: string): Response {
  const server = baseUrl.replace(/\/$/, '');
  built ??= buildOpenApi();
  if (last?.server !== server) last = { server, json: JSON.stringify(withServer(built, server, 'This server')) };
  return new Response(last.json, { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': CACHE } });
}
