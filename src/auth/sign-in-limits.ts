/**
 * The failed sign-in limits (docs/decisions/021-sign-in-surface.md), one module for every way to sign in:
 * `auth.login`, `mfa.verify`, and the consent page through them.
 *
 * - The Workers Rate Limiting binding `SIGN_IN_LIMITER`, when configured, turns floods from one address away
 *   before any D1 work (it counts every attempt, so its limit is generous).
 * - D1 counters are the authority: each attempt is counted per account and per client IP before the secret is
 *   checked (so racing guesses cannot overshoot), and a success gives it back. Past the limit the account (or
 *   the address) is refused with 429 `too-many-attempts` and `Retry-After` until its window ends: a locked
 *   account unlocks by time.
 */
import type { Config } from '../config';
import { err } from '../core/errors';
import type { Env } from '../env';
import { clearAttempts, countAttempt, refundAttempt } from '../storage/attempt-counters';
import { runBatch } from '../storage/batch';
import { globalDb } from '../storage/directory';

/** The period of the `SIGN_IN_LIMITER` binding (wrangler.toml `[[ratelimits]]`): a refused caller waits this long at most. */
export const SIGN_IN_BINDING_WINDOW_SECONDS = 60;

export interface SignInCaller {
  env: Env;
  config: Config;
  now: number;
  /** Client address ("" when the platform reports none: then only the account is counted). */
  ip: string;
}

/** One sign-in attempt, counted: report its outcome with `succeeded()` (a failure needs nothing more). */
export interface SignInAttempt {
  succeeded(): Promise<void>;
}

const accountKey = (userId: string) => `sign-in:account:${userId}`;
const ipKey = (ip: string) => `sign-in:ip:${ip}`;

const retryAfter = (windowStart: number, windowSeconds: number, now: number) => Math.max(1, Math.ceil(windowStart + windowSeconds - now));

/** Counts an attempt to sign in to `userId`; throws 429 when the account or the address is over its limit. */
export async function beginSignIn(caller: SignInCaller, userId: string): Promise<SignInAttempt> {
  const { env, config, now, ip } = caller;
  const limits = config.abuseLimits;
  if (ip && env.SIGN_IN_LIMITER) {
    const { success } = await env.SIGN_IN_LIMITER.limit({ key: ipKey(ip) });
    if (!success) throw err.tooManyAttempts(SIGN_IN_BINDING_WINDOW_SECONDS);
  }
  const db = globalDb(env);
  const window = limits.signInWindowSeconds;
  const [account, address] = await Promise.all([
    countAttempt(db, accountKey(userId), now, window),
    ip ? countAttempt(db, ipKey(ip), now, window) : null,
  ]);
  const refusals: number[] = [];
  if (account.count > limits.signInFailuresPerAccount) refusals.push(retryAfter(account.windowStart, window, now));
  if (address && address.count > limits.signInFailuresPerIp) refusals.push(retryAfter(address.windowStart, window, now));
  if (refusals.length > 0) throw err.tooManyAttempts(Math.max(...refusals));
  return {
    succeeded: async () => {
      await runBatch(db, [clearAttempts(db, accountKey(userId)), ...(ip ? [refundAttempt(db, ipKey(ip))] : [])]);
    },
  };
}

/** Counts one attempt under `key`; throws 429 past `max` in the window (until the window ends). */
async function countOrRefuse(caller: SignInCaller, key: string, max: number, windowSeconds: number): Promise<void> {
  const state = await countAttempt(globalDb(caller.env), key, caller.now, windowSeconds);
  if (state.count > max) throw err.tooManyAttempts(retryAfter(state.windowStart, windowSeconds, caller.now));
}

/** Counts a registration from the caller's address; throws 429 past `registrationsPerIp` in the window. */
export async function countRegistration(caller: SignInCaller): Promise<void> {
  if (!caller.ip) return;
  const { registrationsPerIp, registrationWindowSeconds } = caller.config.abuseLimits;
  await countOrRefuse(caller, `register:ip:${caller.ip}`, registrationsPerIp, registrationWindowSeconds);
}

/** Password-reset mails per account in an hour: enough for a lost mail, too few to flood a mailbox. */
export const RESET_REQUESTS_PER_HOUR = 5;
const HOUR_SECONDS = 3600;

/** Counts a password-reset request for `userId`; throws 429 past `RESET_REQUESTS_PER_HOUR`. */
export function countResetRequest(caller: SignInCaller, userId: string): Promise<void> {
  return countOrRefuse(caller, `reset:account:${userId}`, RESET_REQUESTS_PER_HOUR, HOUR_SECONDS);
}

/** The longest window of any counter: older counters can be deleted (the hourly cron). */
export const longestAttemptWindow = (config: Config): number =>
  Math.max(config.abuseLimits.signInWindowSeconds, config.abuseLimits.registrationWindowSeconds, HOUR_SECONDS);
