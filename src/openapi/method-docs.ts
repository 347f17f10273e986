/**
 * What the OpenAPI document says about each method that the method table (src/methods) does not hold: a
 * summary, the success status, the result keys, the error ids the method itself raises (the route's common
 * ones are added by src/openapi/document.ts) and an example request. Kept here, not in the table, so the
 * table stays about behaviour; the workers test requires one entry per method of the table.
 */
import * as v from 'valibot';
import type { ErrorId } from '../core/errors';
import { ref, type ShapeName } from './shapes';
import type { JsonSchema } from '@valibot/to-json-schema';

export interface ResultKey {
  schema: JsonSchema;
  optional?: boolean;
}

/** Either named payload keys, or one shape spread at the top level of the answer (service info, access info). */
export type ResultDoc = { keys: Record<string, ResultKey> } | { spread: ShapeName };

/**
 * Update methods (`PUT …/{id}`) take `{id, update}` in the table, where `update` is checked inside the handler.
 * Their body is documented as the listed fields of the create method's schema, all optional, plus `replace`
 * where the update schema differs from the create one.
 */
export type UpdateBodyDoc =
  | { from: string; fields: string[]; replace?: Record<string, v.GenericSchema> }
  /** A free object of changes (profile sets): any key, a `null` value removing it. */
  | { anyKeys: true };

export interface MethodDoc {
  summary: string;
  description?: string;
  /** Success status when not 200 (creations answer 201). */
  status?: 201;
  /** One shape, or the alternatives the method may answer (two-phase deletions), or `file`: the bytes of a download. */
  result: ResultDoc | ResultDoc[] | 'file';
  errors: ErrorId[];
  /** The body (body and update routes) or the query parameters (query routes) of a typical call. */
  example?: unknown;
  update?: UpdateBodyDoc;
  /** Other non-error answers, by status (the states of an app authorization request, §5.8). */
  otherAnswers?: Record<number, { description: string; result: ResultDoc }>;
}

const one = (name: ShapeName): ResultKey => ({ schema: ref(name) });
const many = (name: ShapeName): ResultKey => ({ schema: { type: 'array', items: ref(name) } });
const optional = (key: ResultKey): ResultKey => ({ ...key, optional: true });
const keys = (k: Record<string, ResultKey>): ResultDoc => ({ keys: k });

/** 30 and 7 days, in seconds: the examples' access lifetimes. */
const THIRTY_DAYS = 30 * 86_400;
const SEVEN_DAYS = 7 * 86_400;
/** 2026-09-21T00:53:20Z: the examples' narrowing start. */
const EXAMPLE_FROM_TIME = 1_790_000_000;

/** §5.8: the answers of a poll, and of an update, in each state of the request. */
const requestStateAnswers = (needSignIn: ResultDoc): Pick<MethodDoc, 'result' | 'otherAnswers'> => ({
  result: keys({
    status: { schema: { const: 'ACCEPTED' } },
    apiEndpoint: { schema: { type: 'string', description: 'The granted app access: user root with the token as userinfo.' } },
    username: { schema: { type: 'string', description: 'Deprecated duplicate.' } },
    token: { schema: { type: 'string', description: 'Deprecated duplicate.' } },
  }),
  otherAnswers: {
    201: { description: 'NEED_SIGNIN: the person has not answered yet; poll again after `poll_rate_ms`.', result: needSignIn },
    403: {
      description: 'REFUSED or ERROR: the person refused (`reasonID` `REFUSED_BY_USER`) or the consent page failed.',
      result: keys({ status: { schema: { enum: ['REFUSED', 'ERROR'] } }, reasonID: { schema: { type: 'string' } }, message: { schema: { type: 'string' } } }),
    },
  },
});

const string = { schema: { type: 'string' } } as const;
const needSignIn = keys({
  status: { schema: { const: 'NEED_SIGNIN' } },
  key: string,
  requestingAppId: string,
  requestedPermissions: { schema: { type: 'array', items: { type: 'object' } } },
  poll: string,
  authUrl: string,
  url: { schema: { type: 'string', description: 'Deprecated copy of `authUrl`.' } },
  poll_rate_ms: { schema: { type: 'integer' } },
  lang: string,
  returnURL: { schema: { type: ['string', 'null'] } },
  clientData: { schema: { type: ['object', 'null'] } },
  serviceInfo: { schema: ref('ServiceInfo') },
  deviceName: optional({ schema: { type: ['string', 'null'] } }),
  expireAfter: optional({ schema: { type: 'number' } }),
  referer: optional({ schema: { type: ['string', 'null'] } }),
});

export const METHOD_DOCS: Record<string, MethodDoc> = {
  'authRequest.create': {
    summary: 'Open an app authorization request (no token)',
    description:
      'The app then sends the person to `authUrl` (the consent page: the Worker\'s own unless the operator set `DEFAULT_AUTH_URL`, ' +
      'or a trusted `authUrl` the app names) and polls `poll` every `poll_rate_ms`. The request expires after 1 hour.',
    status: 201,
    result: keys({
      status: { schema: { const: 'NEED_SIGNIN' } },
      key: string,
      authUrl: string,
      url: { schema: { type: 'string', description: 'Deprecated copy of `authUrl`.' } },
      poll: string,
      poll_rate_ms: { schema: { type: 'integer' } },
    }),
    errors: ['invalid-parameters-format'],
    example: { requestingAppId: 'my-diary-app', requestedPermissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'contribute' }], languageCode: 'en', returnURL: 'https://app.example.org/back?' },
  },
  'authRequest.poll': {
    summary: 'Poll an app authorization request',
    description: 'Costs no database round trip. 201 while waiting, 200 once accepted, 403 once refused; 404 once expired (1 hour).',
    ...requestStateAnswers(needSignIn),
    errors: ['unknown-resource'],
  },
  'authRequest.update': {
    summary: 'Answer an app authorization request (what a consent page calls)',
    description:
      'ACCEPTED needs `username` and `token`, a live app access of that user named as the requesting app. A request is answered once: ' +
      'a second answer is 400 `invalid-operation`. Answers like a poll in the new state.',
    ...requestStateAnswers(needSignIn),
    errors: ['unknown-resource', 'invalid-operation'],
    example: { status: 'REFUSED', reasonID: 'REFUSED_BY_USER', message: 'The user refused.' },
  },
  'service.info': {
    summary: 'Service info: how clients find every other endpoint',
    result: { spread: 'ServiceInfo' },
    errors: [],
  },
  'service.userInfo': {
    summary: 'Service info, answered only for an existing user (clients use it to test existence)',
    result: { spread: 'ServiceInfo' },
    errors: [],
  },
  'auth.register': {
    summary: 'Create an account and its first personal access',
    description:
      'The username follows `^[a-z0-9][a-z0-9-]{3,58}[a-z0-9]$` and is not reserved. No trusted-app check. ' +
      'Answers 451 when the operator closed registration; with invitation tokens configured, one is required.',
    status: 201,
    result: keys({ username: { schema: { type: 'string' } }, apiEndpoint: { schema: { type: 'string', description: 'Carries a personal token for `appId`.' } } }),
    errors: ['item-already-exists', 'invitationToken-invalid', 'too-many-attempts', 'unavailable-method', 'api-unavailable'],
    example: { appId: 'my-app-id', username: 'alice', password: 'alice-password', email: 'alice@example.org', language: 'en' },
  },
  'auth.usernameCheck': {
    summary: 'Whether a username is taken or reserved',
    result: keys({
      reserved: { schema: { type: 'boolean' } },
      reason: optional({ schema: { const: 'RESERVED_USER_NAME', description: 'Only for reserved words.' } }),
    }),
    errors: ['invalid-parameters-format'],
  },
  'auth.hostings': {
    summary: 'The hosting list used by client-side registration (a single hosting)',
    result: { spread: 'Hostings' },
    errors: [],
  },
  'auth.userServer': {
    summary: 'Whether an account exists (404 when not)',
    result: keys({ server: { schema: { type: 'string' } }, alias: { schema: { type: 'string' } } }),
    errors: ['unknown-resource'],
  },
  'auth.emailUid': {
    summary: 'The username of an e-mail address (rate-limited per client IP)',
    description:
      'Answers 404 for an unknown address. At most 20 lookups (with check_email) per client IP and minute, then 429 ' +
      'with `Retry-After`. 410 when the operator turned e-mail lookups off (`EMAIL_LOOKUP=off`).',
    result: keys({ uid: { schema: { type: 'string', description: 'The username.' } } }),
    errors: ['invalid-parameters-format', 'unknown-resource', 'too-many-attempts', 'removed-method', 'unavailable-method'],
  },
  'auth.emailCheck': {
    summary: 'Whether an e-mail address is free (rate-limited per client IP)',
    description: 'A taken address answers 409 `item-already-exists`. Same rate limit and operator switch as `/reg/{email}/uid`.',
    result: keys({ reserved: { schema: { const: false } } }),
    errors: ['invalid-parameters-format', 'item-already-exists', 'too-many-attempts', 'removed-method', 'unavailable-method'],
  },
  'auth.login': {
    summary: 'Log in: a personal session token for a trusted app',
    description:
      'The `Origin` (else `Referer`) header and `appId` must match a trusted-app pattern. A live session of the ' +
      'same app keeps its token; sessions slide to 14 days after the last use. An account enrolled in two-factor ' +
      'sign-in answers `{mfaToken}` instead (then `mfa.verify`). Failed sign-ins are limited per account and per ' +
      'client IP: 429 with `Retry-After` until the window ends.',
    result: [
      keys({
        token: { schema: { type: 'string' } },
        apiEndpoint: { schema: { type: 'string' } },
        preferredLanguage: { schema: { type: 'string' } },
      }),
      keys({ mfaToken: { schema: { type: 'string' } } }),
    ],
    errors: ['invalid-credentials', 'too-many-attempts', 'api-unavailable'],
    example: { username: 'alice', password: 'alice-password', appId: 'my-app-id' },
  },
  'mfa.activate': {
    summary: 'Start enrolling in two-factor sign-in (TOTP): a secret, its provisioning URI and QR code',
    description:
      'Answers an `mfaToken` for `mfa.confirm`, the `otpauth://` URI and the same as an SVG QR code for an ' +
      'authenticator app. Refused (invalid-operation) while an enrolment is active.',
    result: keys({
      mfaToken: { schema: { type: 'string' } },
      method: { schema: { const: 'totp' } },
      otpauthUri: { schema: { type: 'string' } },
      secret: { schema: { type: 'string', description: 'Base32, for typing by hand.' } },
      qrCode: { schema: { type: 'string', description: 'SVG document.' } },
    }),
    errors: ['invalid-operation', 'api-unavailable'],
    example: {},
  },
  'mfa.confirm': {
    summary: 'Confirm the enrolment with a current code: answers 10 single-use recovery codes',
    result: keys({ recoveryCodes: { schema: { type: 'array', items: { type: 'string' } } } }),
    errors: ['invalid-access-token', 'invalid-parameters-format'],
    example: { code: '123456' },
  },
  'mfa.challenge': {
    summary: 'What the pending sign-in asks for (TOTP: a code of the authenticator app; nothing is sent)',
    result: keys({ message: { schema: { type: 'string' } }, method: { schema: { const: 'totp' } } }),
    errors: ['invalid-access-token'],
    example: {},
  },
  'mfa.verify': {
    summary: 'Finish a two-factor sign-in: the session `auth.login` would have answered',
    description: 'A code is accepted once: a used (or older) code is refused. Failed codes count as failed sign-ins (429 past the limit).',
    result: keys({
      token: { schema: { type: 'string' } },
      apiEndpoint: { schema: { type: 'string' } },
      preferredLanguage: { schema: { type: 'string' } },
    }),
    errors: ['invalid-access-token', 'invalid-parameters-format', 'too-many-attempts', 'api-unavailable'],
    example: { code: '123456' },
  },
  'mfa.deactivate': {
    summary: 'End two-factor sign-in, with the password or a current code as step-up',
    result: keys({ message: { schema: { type: 'string' } } }),
    errors: ['invalid-credentials', 'invalid-parameters-format', 'too-many-attempts'],
    example: { password: 'alice-password' },
  },
  'mfa.recover': {
    summary: 'End two-factor sign-in with the password and one recovery code (no token)',
    result: keys({ message: { schema: { type: 'string' } } }),
    errors: ['invalid-credentials', 'too-many-attempts'],
    example: { username: 'alice', password: 'alice-password', recoveryCode: 'recovery-code', appId: 'my-app-id' },
  },
  'auth.logout': {
    summary: 'End the personal session: the token stops working at once',
    result: keys({}),
    errors: [],
  },
  getAccessInfo: {
    summary: 'The calling access, and the account it belongs to',
    result: { spread: 'AccessInfo' },
    errors: [],
  },
  'accesses.get': {
    summary: 'List accesses: all of them for personal tokens, those it created for an app',
    result: keys({ accesses: many('Access'), accessDeletions: optional(many('DeletedAccess')) }),
    errors: ['api-unavailable'],
    example: { includeExpired: true, includeDeletions: true },
  },
  'accesses.getOne': {
    summary: 'One access, or one of its earlier versions, with its history on request',
    description:
      'The id is bare or composite (`<id>:<serial>`, once updated). An earlier serial answers that version and ' +
      '`current`, the current id. An app sees itself and the accesses it created; any other id answers 404.',
    result: keys({
      access: one('Access'),
      current: optional({ schema: { type: 'string', description: 'The current composite id, when an earlier version was asked for.' } }),
      history: optional(many('Access')),
    }),
    errors: ['unknown-resource'],
    example: { includeHistory: true },
  },
  'accesses.checkApp': {
    summary: 'What a consent page needs: the app\'s matching access, or the requested permissions checked',
    description:
      'Answers `{matchingAccess}` when a live app access of that app id and device name has the requested ' +
      'permissions (order and `defaultName` ignored), `{mismatchingAccess, checkedPermissions}` when it has others, ' +
      'else `{checkedPermissions}`. Existing streams carry their `name`; a `defaultName` that a root stream already ' +
      'has becomes `name (1)`, `name (2)`…, with `error` (`item-already-exists`).',
    result: keys({
      matchingAccess: optional(one('Access')),
      mismatchingAccess: optional(one('Access')),
      checkedPermissions: optional(many('CheckedPermission')),
      error: optional({ schema: { $ref: '#/components/schemas/Error' } }),
    }),
    errors: [],
    example: { requestingAppId: 'my-diary-app', requestedPermissions: [{ streamId: 'diary', level: 'manage', defaultName: 'Diary' }] },
  },
  'accesses.create': {
    summary: 'Create an app or shared access; a shared one comes with a share link',
    description:
      'An app may create shared accesses within its own permissions only. A personal caller may name an unknown ' +
      'stream with `defaultName` to have it created as a root stream.',
    status: 201,
    result: keys({ access: one('Access') }),
    errors: ['invalid-item-id', 'unknown-referenced-resource', 'item-already-exists', 'invalid-operation', 'api-unavailable'],
    example: {
      name: 'coach',
      type: 'shared',
      permissions: [{ streamId: 'health', level: 'read', tags: ['morning'], fromTime: EXAMPLE_FROM_TIME }],
      expireAfter: THIRTY_DAYS,
    },
  },
  'accesses.update': {
    summary: 'Change an app or shared access: a new version, `<id>:<serial>`',
    description:
      'The id must name the current version (the bare id until the first update), else 409 `stale-resource` ' +
      '`{provided, currentSerial}`. Read-only fields (`id`, `token`, `type`, `apiEndpoint`, tracking fields) answer ' +
      '403. `expires` may only be set to `null`.',
    result: keys({ access: one('Access') }),
    errors: ['unknown-resource', 'unknown-referenced-resource', 'item-already-exists', 'stale-resource', 'invalid-operation', 'api-unavailable'],
    example: { name: 'coach (weekly)', expireAfter: SEVEN_DAYS, clientData: { note: 'weekly check-in' } },
    update: {
      from: 'accesses.create',
      fields: ['name', 'deviceName', 'permissions', 'expireAfter', 'clientData'],
      replace: { expires: v.null() },
    },
  },
  'accesses.delete': {
    summary: 'Delete an access; deleting an app also deletes the shared accesses it created',
    description: 'The id must name the current version, as for accesses.update.',
    result: keys({ accessDeletion: one('ItemDeletion'), relatedDeletions: optional(many('ItemDeletion')) }),
    errors: ['unknown-resource', 'stale-resource'],
  },
  'account.get': {
    summary: 'The account, with the storage it uses',
    result: keys({ account: one('Account') }),
    errors: [],
  },
  'account.update': {
    summary: 'Change the account\'s e-mail address or language (`username` is read-only: 403)',
    result: keys({ account: one('Account') }),
    errors: ['item-already-exists'],
    example: { language: 'fr' },
    update: { from: 'auth.register', fields: ['email', 'language'] },
  },
  'account.changePassword': {
    summary: 'Change the password; other sessions are kept unless `logoutOtherSessions` is true (extension)',
    result: keys({}),
    errors: ['invalid-operation'],
    example: { oldPassword: 'alice-password', newPassword: 'alice-new-password', logoutOtherSessions: true },
  },
  'account.requestPasswordReset': {
    summary: 'Mail a password-reset token (valid one hour) to the account address',
    description: 'At most 5 requests per account and hour (429). 451 when no mail sender is configured.',
    result: keys({}),
    errors: ['invalid-credentials', 'too-many-attempts', 'unavailable-method'],
    example: { appId: 'my-app-id', username: 'alice' },
  },
  'account.resetPassword': {
    summary: 'Set a new password with a reset token: the token is spent and every session ends',
    result: keys({}),
    errors: ['invalid-credentials', 'invalid-operation'],
    example: { appId: 'my-app-id', username: 'alice', resetToken: 'token-from-the-mail', newPassword: 'alice-new-password' },
  },
  'profile.getPublic': {
    summary: 'The public profile set (any access)',
    result: keys({ profile: { schema: { type: 'object' } } }),
    errors: [],
  },
  'profile.updatePublic': {
    summary: 'Merge keys into the public profile set (`null` removes a key)',
    result: keys({ profile: { schema: { type: 'object' } } }),
    errors: ['payload-too-large', 'stale-resource'],
    example: { displayName: 'Alice' },
    update: { anyKeys: true },
  },
  'profile.getPrivate': {
    summary: 'The private profile set',
    result: keys({ profile: { schema: { type: 'object' } } }),
    errors: [],
  },
  'profile.updatePrivate': {
    summary: 'Merge keys into the private profile set (`null` removes a key)',
    result: keys({ profile: { schema: { type: 'object' } } }),
    errors: ['payload-too-large', 'stale-resource'],
    example: { theme: 'dark' },
    update: { anyKeys: true },
  },
  'profile.getApp': {
    summary: 'The profile set of the calling app (keyed by the access name)',
    result: keys({ profile: { schema: { type: 'object' } } }),
    errors: [],
  },
  'profile.updateApp': {
    summary: 'Merge keys into the calling app\'s profile set (`null` removes a key)',
    result: keys({ profile: { schema: { type: 'object' } } }),
    errors: ['payload-too-large', 'stale-resource'],
    example: { lastScreen: 'home' },
    update: { anyKeys: true },
  },
  'webhooks.get': {
    summary: 'List webhooks: all of them for a personal access, its own for any other',
    result: keys({ webhooks: many('Webhook') }),
    errors: [],
  },
  'webhooks.getOne': {
    summary: 'One webhook (another access\'s: 403, unless personal)',
    result: keys({ webhook: one('Webhook') }),
    errors: ['unknown-resource'],
  },
  'webhooks.create': {
    summary: 'Register a URL to POST change notices to (app and shared accesses only); answers its signing secret once',
    status: 201,
    result: keys({ webhook: one('Webhook') }),
    errors: ['item-already-exists'],
    example: { url: 'https://hooks.example.org/pryv' },
  },
  'webhooks.update': {
    summary: 'Activate or deactivate a webhook (activating resets its retries); every other field is read-only (403)',
    result: keys({ webhook: one('Webhook') }),
    errors: ['unknown-resource'],
    example: { state: 'inactive' },
    update: { from: 'webhooks.create', fields: ['state'] },
  },
  'webhooks.delete': {
    summary: 'Delete a webhook',
    result: keys({ webhookDeletion: one('ItemDeletion') }),
    errors: ['unknown-resource'],
  },
  'webhooks.test': {
    summary: 'POST a `test` message now; a failed delivery answers 400 with the url',
    result: keys({ webhook: one('Webhook') }),
    errors: ['unknown-resource', 'unknown-referenced-resource'],
  },
  'audit.verify': {
    summary: "Recompute the account's audit hash chain and report its first broken link (personal only)",
    description: 'Checks every record after the anchor, the head and the signed checkpoints. A problem is an answer, not an error: `ok` is false and `problem` names the seq and record.',
    result: keys({ verification: one('AuditVerification') }),
    errors: ['forbidden'],
  },
  'followedSlices.get': {
    summary: 'List the slices of other accounts this account follows',
    result: keys({ followedSlices: many('FollowedSlice') }),
    errors: [],
  },
  'followedSlices.create': {
    summary: 'Follow a slice of another account',
    status: 201,
    result: keys({ followedSlice: one('FollowedSlice') }),
    errors: ['item-already-exists'],
    example: { name: "Bob's health", url: 'https://api.example.org/bob/', accessToken: 'ckx3bobsharedtoken0000000' },
  },
  'followedSlices.update': {
    summary: 'Rename a followed slice (`url` and `accessToken` are read-only: 403)',
    result: keys({ followedSlice: one('FollowedSlice') }),
    errors: ['unknown-resource', 'item-already-exists'],
    example: { name: 'Bob (health)' },
    update: { from: 'followedSlices.create', fields: ['name'] },
  },
  'followedSlices.delete': {
    summary: 'Stop following a slice',
    result: keys({ followedSliceDeletion: one('ItemDeletion') }),
    errors: ['unknown-resource'],
  },
  'streams.get': {
    summary: 'The stream tree the access may list, as a forest',
    result: keys({ streams: many('Stream'), streamDeletions: optional(many('ItemDeletion')) }),
    errors: ['unknown-referenced-resource'],
    example: { parentId: 'health', state: 'all' },
  },
  'streams.create': {
    summary: 'Create a stream (a child needs `manage` on its parent, a root `manage` on `*`)',
    description: 'A given id is slugified (`pas encodé de bleu!` → `pas-encode-de-bleu`).',
    status: 201,
    result: keys({ stream: one('Stream') }),
    errors: ['invalid-item-id', 'unknown-referenced-resource', 'invalid-operation', 'item-already-exists'],
    example: { id: 'health', name: 'Health' },
  },
  'streams.update': {
    summary: 'Rename, move, trash or restore a stream, or merge its client data',
    description: 'Moving and trashing need un-narrowed `manage`. Read-only fields (`id`, `children`, tracking fields) answer 403.',
    result: keys({ stream: one('Stream') }),
    errors: ['unknown-resource', 'unknown-referenced-resource', 'invalid-operation', 'item-already-exists'],
    example: { name: 'Health & fitness', clientData: { color: '#2e7d32' } },
    // The update schema takes `trashed` as a plain boolean, where create also accepts null.
    update: { from: 'streams.create', fields: ['name', 'parentId', 'clientData', 'trashed'], replace: { trashed: v.boolean() } },
  },
  'streams.delete': {
    summary: 'Trash a stream; delete it, with its subtree, once trashed',
    description:
      'The second call deletes for good. When events are linked to the subtree, `mergeEventsWithParent` is required: ' +
      '`true` moves them to the parent, `false` removes the subtree from them (events left with no stream are deleted).',
    result: [keys({ stream: one('Stream') }), keys({ updatedEvents: many('UpdatedEvent'), streamDeletion: one('ItemDeletion') })],
    errors: ['unknown-resource', 'invalid-operation'],
    example: { mergeEventsWithParent: false },
  },
  'events.get': {
    summary: 'Query events: streams, time, types, tags, state, changes and deletions',
    description:
      'Without `fromTime`, `toTime` and `limit`, the 20 most recent events. `streams` takes ids (repeated key) or a ' +
      'streams query as JSON (`{"any":[…],"all":[…],"not":[…]}`, or an array of them, OR-ed). `tags` keeps events ' +
      'carrying at least one of the tags. `content` and `clientData` queries answer 451 (not shipped). Audit events ' +
      '(types `audit-log/pryv-api` and `audit-log/pryv-api-error`) come only when `streams` names audit streams: ' +
      '`:_audit:`, `:_audit:accesses`, `:_audit:actions`, `:_audit:access-{id}`, `:_audit:action-{methodId}`.',
    result: keys({ events: many('Event'), eventDeletions: optional(many('ItemDeletion')) }),
    errors: ['unknown-referenced-resource', 'unavailable-method'],
    example: { streams: ['health'], types: ['mass/kg'], tags: ['morning'], fromTime: EXAMPLE_FROM_TIME, limit: 50 },
  },
  'events.getOne': {
    summary: 'One event (403 when it exists but the access cannot see it)',
    result: keys({ event: one('Event'), history: optional({ schema: { type: 'array', maxItems: 0, description: 'Always empty: event history is not shipped.' } }) }),
    errors: ['unknown-resource'],
    example: { includeHistory: true },
  },
  'events.create': {
    summary: 'Create an event in one or more streams',
    description:
      'Every target stream must accept the event: create rights and, for a narrowed permission, one of its tags ' +
      'and a span overlapping its time frame. The content is validated when the type is in the directory.',
    status: 201,
    result: keys({ event: one('Event') }),
    errors: ['unknown-referenced-resource', 'invalid-operation', 'invalid-event-type', 'item-already-exists'],
    example: { streamIds: ['health'], type: 'mass/kg', content: 72.5, tags: ['morning'] },
  },
  'events.update': {
    summary: 'Change an event (content and tags replaced whole, client data merged)',
    description: 'Read-only fields (`id`, `created`, `createdBy`, `modified`, `modifiedBy`, `attachments`, `integrity`) answer 403.',
    result: keys({ event: one('Event') }),
    errors: ['unknown-resource', 'unknown-referenced-resource', 'invalid-operation', 'invalid-event-type', 'stale-resource'],
    example: { content: 72.1, tags: ['morning', 'after-run'], description: 'after the run' },
    update: {
      from: 'events.create',
      fields: ['streamIds', 'streamId', 'time', 'duration', 'type', 'content', 'tags', 'description', 'clientData', 'trashed'],
    },
  },
  'events.delete': {
    summary: 'Trash an event; delete it for good once trashed',
    result: [keys({ event: one('Event') }), keys({ eventDeletion: one('ItemDeletion') })],
    errors: ['unknown-resource', 'stale-resource'],
  },
  'events.addAttachment': {
    summary: 'Attach files to an event (multipart/form-data, files only)',
    description: 'Each part is a file; its filename (else its field name) becomes `fileName`. Bytes are streamed to storage and hashed on the way.',
    result: keys({ event: one('Event') }),
    errors: ['unknown-resource', 'invalid-operation'],
  },
  'events.getAttachment': {
    summary: "Download an attached file (its bytes, with `Digest` and `Range` support)",
    description:
      'Authorized by the `Authorization` header or by `?readToken=` (from the attachment as the access sees it); ' +
      '`?auth=` is refused. Active content (HTML, SVG, XML, JavaScript) comes with `Content-Security-Policy: sandbox` and ' +
      '`Content-Disposition: attachment`.',
    result: 'file',
    errors: ['unknown-resource', 'invalid-operation'],
  },
  'events.deleteAttachment': {
    summary: 'Remove one file from an event',
    result: keys({ event: one('Event') }),
    errors: ['unknown-resource'],
  },
};

/** `callBatch` is documented on its own: its params are a list of calls, its result one entry per call. */
export const BATCH_DOC = {
  summary: 'Call several methods in one request, in order, each authorized on its own',
  description:
    'Each item is `{method, params}`; a failed call gives `{error}` in its place and undoes nothing. `params` are ' +
    'real JSON (no query-string coercion); update methods take `{id, update}`.',
  example: [
    { method: 'streams.create', params: { id: 'diary', name: 'Diary' } },
    { method: 'events.create', params: { streamIds: ['diary'], type: 'note/txt', content: 'Slept well.', tags: ['sleep'] } },
  ],
};
