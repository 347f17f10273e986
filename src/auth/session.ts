import { ApiError } from '../core/errors';
import type { Env } from '../env';

/** Personal sessions last 14 days after the last accepted request (§5.2). */
export const SESSION_SECONDS = 14 * 24 * 3600;
/** Session slides and `lastUsed` are written at most once per 5 minutes per access (§10). */
export const TOUCH_INTERVAL_SECONDS = 300;

/** The TOKEN_KEY secret; without it tokens could not be returned later, so the server refuses to issue any. */
export function tokenKey(env: Env): string {
  if (!env.TOKEN_KEY) throw new ApiError('api-unavailable', 'The server is not configured to issue tokens (TOKEN_KEY secret missing).');
  return env.TOKEN_KEY;
}
