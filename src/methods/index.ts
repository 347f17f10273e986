import { accessInfoMethods } from './access-info';
import { accessesMethods } from './accesses';
import { attachmentMethods } from './attachments';
import { authMethods } from './auth';
import { callBatchMethod } from './batch';
import { eventMethods } from './events';
import { eventsGetMethod } from './events-get';
import { followedSlicesMethods } from './followed-slices';
import { registerMethods } from './register';
import { serviceMethods } from './service';
import { streamMethods } from './streams';
import type { MethodDef } from './table';

/** The method table: every API method, declared once, keyed by id. Transports only look methods up here. */
export const METHODS: ReadonlyMap<string, MethodDef> = new Map<string, MethodDef>(
  [
    ...serviceMethods, ...registerMethods, ...authMethods, ...accessInfoMethods, callBatchMethod, ...accessesMethods,
    ...followedSlicesMethods, ...streamMethods, eventsGetMethod, ...eventMethods, ...attachmentMethods,
  ].map((m) => [m.id, m]),
);

/** Ids removed from the API (§2.14): `removed-method`, over HTTP and inline in a batch. */
export const REMOVED_METHOD_IDS: ReadonlySet<string> = new Set(['events.start', 'events.stop']);

/** Ids of tiers this server does not ship yet: `unavailable-method`. */
export const UNSHIPPED_METHOD_IDS: ReadonlySet<string> = new Set([
  'accesses.getOne', 'accesses.checkApp',
  'profile.getPublic', 'profile.updatePublic', 'profile.getPrivate', 'profile.updatePrivate', 'profile.getApp', 'profile.updateApp',
  'account.get', 'account.update', 'account.changePassword',
  'webhooks.get', 'webhooks.getOne', 'webhooks.create', 'webhooks.update', 'webhooks.delete', 'webhooks.test',
]);
