import * as v from 'valibot';
import { ApiError, err } from '../core/errors';
import { emailSchema, languageSchema, passwordSchema } from '../core/params';
import { hashPassword } from '../auth/password';
import { newSession, personalAccessRow } from '../auth/personal-session';
import { tokenKey } from '../auth/session';
import { countRegistration } from '../auth/sign-in-limits';
import { newId } from '../lib/ids';
import { apiEndpoint, userRoot } from '../lib/urls';
import { RESERVED_USERNAMES, USERNAME_PATTERN, isValidUsername } from '../lib/username';
import { insertAccess } from '../storage/accesses';
import { users } from '../storage/schema';
import { AccountTaken, confirmAccount, conflicts, findUser, releaseAccount, reserveAccount } from '../storage/directory';
import { violatedUnique } from '../storage/d1-errors';
import { ok, publicMethod } from './table';

const registerParams = v.strictObject({
  appId: v.pipe(v.string(), v.minLength(6), v.maxLength(99)),
  username: v.pipe(v.string(), v.check(isValidUsername, 'Invalid or reserved username')),
  password: passwordSchema,
  email: emailSchema,
  language: v.optional(languageSchema),
  invitationToken: v.optional(v.nullable(v.string())),
  referer: v.optional(v.nullable(v.string())),
  hosting: v.optional(v.nullable(v.string())),
});

const usernameParam = v.strictObject({
  username: v.pipe(v.string(), v.regex(USERNAME_PATTERN, 'Invalid username')),
});

export const registerMethods = [
  publicMethod({
    id: 'auth.register',
    params: registerParams,
    batch: false,
    handler: async (ctx, params) => {
      const { config, now } = ctx;
      if (config.registration === 'closed') throw err.unavailable('Registration');
      if (config.registration === 'invitation' || config.invitationTokens.length > 0) {
        if (!params.invitationToken || !config.invitationTokens.includes(params.invitationToken)) {
          throw new ApiError('invitationToken-invalid', 'The invitation token is not valid.');
        }
      }
      // Counted before any lookup, so the limit also keeps username probing through registration slow.
      await countRegistration({ ...ctx, ip: ctx.request.ip });
      const usernameTaken = () => err.alreadyExists('The username is already taken.', { username: params.username });
      const emailTaken = () => err.alreadyExists('The e-mail address is already in use.', { email: params.email });
      // Early and clear answers; the reservation below is what decides a race.
      const taken = await conflicts(ctx.env, params.username, params.email, now);
      if (taken.username) throw usernameTaken();
      if (taken.email) throw emailTaken();
      const userId = newId();
      const session = await newSession(tokenKey(ctx.env), params.username, now);
      const userRow = {
        id: userId,
        username: params.username,
        email: params.email,
        passwordHash: await hashPassword(params.password),
        language: params.language ?? 'en',
        referer: params.referer ?? null,
        created: now,
        streamsVersion: 0,
      };
      // The directory's unique indexes decide between racing registrations, whatever shard each would use; the
      // reservation also places the account (decision 028).
      let shard;
      try {
        shard = await reserveAccount(ctx.env, { username: params.username, userId, email: params.email, now });
      } catch (e) {
        if (e instanceof AccountTaken) throw e.what === 'email' ? emailTaken() : usernameTaken();
        throw e;
      }
      try {
        // Atomic: an account never exists without its first personal access.
        const { db } = shard;
        await db.batch([db.insert(users).values(userRow), insertAccess(db, personalAccessRow(userId, params.appId, session, now))]);
      } catch (e) {
        await releaseAccount(ctx.env, params.username, userId).catch((r: unknown) => console.error('registration: reservation not released:', r));
        if (violatedUnique(e)?.includes('users.email')) throw emailTaken();
        if (violatedUnique(e) !== null) throw usernameTaken();
        throw e;
      }
      // A Worker dying before this leaves the reservation pending: a later registration may reclaim it.
      await confirmAccount(ctx.env, params.username, userId);
      const endpoint = apiEndpoint(userRoot(config, ctx.request.baseUrl, params.username), session.token);
      return ok({ username: params.username, apiEndpoint: endpoint }, 201);
    },
  }),
  publicMethod({
    id: 'auth.usernameCheck',
    params: usernameParam,
    batch: false,
    handler: async (ctx, { username }) => {
      if (RESERVED_USERNAMES.has(username)) return ok({ reserved: true, reason: 'RESERVED_USER_NAME' });
      return ok({ reserved: (await conflicts(ctx.env, username, '', ctx.now)).username });
    },
  }),
  publicMethod({
    id: 'auth.hostings',
    params: v.strictObject({}),
    batch: false,
    handler: async (ctx) => {
      const hosting = {
        name: 'Default',
        description: `${ctx.config.serviceName}: single hosting`,
        url: ctx.request.baseUrl,
        available: true,
        availableCore: ctx.request.baseUrl,
      };
      return ok({ regions: { default: { name: 'Default', zones: { default: { name: 'Default', hostings: { default: hosting } } } } } });
    },
  }),
  publicMethod({
    id: 'auth.userServer',
    params: v.object({ username: v.string() }),
    batch: false,
    handler: async (ctx, { username }) => {
      const user = isValidUsername(username) ? await findUser(ctx.env, username) : null;
      if (!user) throw err.unknownResource(`Unknown user "${username}"`);
      const alias = ctx.config.domain ? `${username}.${ctx.config.domain}` : username;
      return ok({ server: ctx.request.baseUrl, alias });
    },
  }),
];
