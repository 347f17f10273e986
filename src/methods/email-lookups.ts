/**
 * The register's e-mail lookups (`GET /reg/{email}/uid`, `GET /reg/{email}/check_email`), served as the reference
 * serves them because the official client uses them (`Service.userIdForEmail`). They tell who owns an address,
 * so they are rate-limited per client IP, and an operator can turn them off (`EMAIL_LOOKUP=off`: 410, as before).
 */
import * as v from 'valibot';
import type { PublicContext } from '../core/context';
import { err } from '../core/errors';
import { emailSchema } from '../core/params';
import { findUsernameByEmail } from '../storage/directory';
import { ok, publicMethod } from './table';

/** The window of the `EMAIL_LOOKUP_LIMITER` binding (wrangler.toml `[[ratelimits]]`, `period`): a refused caller waits this long at most. */
export const EMAIL_LOOKUP_WINDOW_SECONDS = 60;

async function lookUp(ctx: PublicContext, route: string, email: string): Promise<string | null> {
  if (!ctx.config.emailLookup) throw err.removed(route);
  const limiter = ctx.env.EMAIL_LOOKUP_LIMITER;
  // Without its rate limit, a lookup would let anyone enumerate accounts: refused rather than served unlimited.
  if (!limiter) throw err.unavailable('E-mail lookup without its rate limit (EMAIL_LOOKUP_LIMITER binding)');
  const { success } = await limiter.limit({ key: `email-lookup:${ctx.request.ip || 'unknown'}` });
  if (!success) throw err.tooManyAttempts(EMAIL_LOOKUP_WINDOW_SECONDS);
  return findUsernameByEmail(ctx.env, email);
}

const params = v.strictObject({ email: emailSchema });

export const emailLookupMethods = [
  publicMethod({
    id: 'auth.emailUid',
    params,
    batch: false,
    handler: async (ctx, { email }) => {
      const username = await lookUp(ctx, 'GET /reg/{email}/uid', email);
      if (username === null) throw err.unknownResource(`Unknown e-mail "${email}"`);
      return ok({ uid: username });
    },
  }),
  publicMethod({
    id: 'auth.emailCheck',
    params,
    batch: false,
    handler: async (ctx, { email }) => {
      const username = await lookUp(ctx, 'GET /reg/{email}/check_email', email);
      if (username !== null) throw err.alreadyExists(`The e-mail "${email}" is already in use by "${username}".`, { email });
      return ok({ reserved: false });
    },
  }),
];
