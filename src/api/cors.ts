/** CORS headers for every answer (§2.10): the Origin is echoed with credentials; preflights get what they ask. */
export function corsHeaders(req: Request): Record<string, string> {
  const origin = req.headers.get('origin');
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': origin ?? '*',
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': 'API-Version, Pryv-Access-Id, Pryv-Bookmark',
    'Access-Control-Allow-Methods': req.headers.get('access-control-request-method') ?? 'POST, GET, PUT, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': req.headers.get('access-control-request-headers') ?? 'Authorization, Content-Type, Pryv-Bookmark',
    'Access-Control-Max-Age': '31536000',
  };
  if (origin) headers.Vary = 'Origin';
  return headers;
}
