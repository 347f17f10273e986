/**
 * The Worker's side of the accounts' authorization authority (decision 026): each account's Durable Object,
 * reached by user id, one RPC per call.
 */
import type { Authority } from '../core/authority';
import type { Env } from '../env';
import { accountObject } from './account-notifier';

/** The Worker's side: the account objects, reached by user id. */
export function accountAuthority(env: Env): Authority {
  return {
    announce: ({ userId, username }) => accountObject(env, userId).authorityAnnounce(username),
    settle: (userId, ticket, seen) => accountObject(env, userId).authoritySettle(ticket, seen),
    state: (userId) => accountObject(env, userId).authorityState(),
  };
}
