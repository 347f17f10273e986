/** A params object as a query string, the way clients send one: arrays as repeated keys, objects as JSON text. */
export function asQueryString(params: Record<string, unknown>): URLSearchParams {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) for (const item of value) query.append(key, String(item));
    else query.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return query;
}
