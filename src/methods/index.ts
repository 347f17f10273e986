import { accessInfoMethods } from './access-info';
import { accountMethods } from './account';
import { accessesMethods } from './accesses';
import { checkAppMethod } from './accesses-check-app';
import { attachmentMethods } from './attachments';
import { auditMethods } from './audit';
import { authRequestMethods } from './auth-requests';
import { authMethods } from './auth';
import { callBatchMethod } from './batch';
import { emailLookupMethods } from './email-lookups';
import { eventMethods } from './events';
import { eventsGetMethod } from './events-get';
import { followedSlicesMethods } from './followed-slices';
import { mfaMethods } from './mfa';
import { passwordResetMethods } from './password-reset';
import { profileMethods } from './profile';
import { registerMethods } from './register';
import { serviceMethods } from './service';
import { streamMethods } from './streams';
import { webhookMethods } from './webhooks';
import type { MethodDef } from './table';

/** The method table: every API method, declared once, keyed by id. Transports only look methods up here. */
export const METHODS: ReadonlyMap<string, MethodDef> = new Map<string, MethodDef>(
  [
    ...serviceMethods, ...registerMethods, ...emailLookupMethods, ...authMethods, ...authRequestMethods, ...accessInfoMethods, callBatchMethod, ...accessesMethods, checkAppMethod,
    ...followedSlicesMethods, ...accountMethods, ...passwordResetMethods, ...mfaMethods, ...profileMethods, ...streamMethods, eventsGetMethod, ...eventMethods, ...webhookMethods, ...auditMethods,
    ...attachmentMethods,
  ].map((m) => [m.id, m]),
);

/** Ids removed from the API (§2.14): `removed-method`, over HTTP and inline in a batch. */
export const REMOVED_METHOD_IDS: ReadonlySet<string> = new Set(['events.start', 'events.stop']);

/** Ids of tiers this server does not ship yet: `unavailable-method`. */
export const UNSHIPPED_METHOD_IDS: ReadonlySet<string> = new Set([
  // High-frequency series (the `hfs` batch ids of the `pryv` client), not shipped yet.
  'hfs.create', 'hfs.update', 'hfs.delete',
]);
