/**
 * HTTP routes that call no method of the table, as registered in src/api/http.ts `createApp`: the published
 * files, the share pages and the register routes that are removed or not shipped. (Removed and unshipped
 * routes under a user root come from src/api/routes.ts `USER_ROUTES` instead.)
 */
import type { JsonSchema } from '@valibot/to-json-schema';

export interface StaticResponse {
  description: string;
  /** Media type of the body; none for a bodiless answer (304). */
  mediaType?: string;
  schema?: JsonSchema;
}

export interface OtherRoute {
  verb: 'get' | 'post';
  /** OpenAPI path: `{name}` for a path parameter. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** `removed`: 410 `removed-method`; `unavailable`: 451 `unavailable-method`; `static`: the responses below. */
  kind: 'static' | 'removed' | 'unavailable';
  /** Whether an access token is read (share page by token). */
  token?: boolean;
  description?: string;
  query?: { name: string; description: string; schema: JsonSchema }[];
  responses?: Record<string, StaticResponse>;
}

const HTML = 'text/html';
const flatDirectory: JsonSchema = {
  type: 'object',
  description: 'The event-type directory in Pryv\'s flat shape (no `meta`).',
  required: ['version', 'types', 'extras', 'classes'],
  properties: {
    version: { type: 'string' },
    types: { type: 'object', description: '`class/format` → JSON Schema (draft-04 subset) of the content.' },
    extras: { type: 'object', description: '`class/format` → `{name: {lang: text}, symbol}`.' },
    classes: { type: 'object' },
    sets: { type: 'object' },
  },
};
const directoryResponses: Record<string, StaticResponse> = {
  '200': { description: 'The directory; cacheable for an hour, with an ETag.', mediaType: 'application/json', schema: flatDirectory },
  '304': { description: 'Not modified: `If-None-Match` matched the ETag.' },
};
const sharePages: Record<string, StaticResponse> = {
  '200': { description: 'A read-only page of what the shared access grants: stream tree, latest events, charts.', mediaType: HTML },
  '404': { description: '"Link not available": unknown, revoked or expired link, or a token that is not a live shared access.', mediaType: HTML },
};
const pageParam = { name: 'page', description: 'Page of events, from 0 (20 per page).', schema: { type: 'integer', minimum: 0 } } as const;

export const OTHER_ROUTES: OtherRoute[] = [
  {
    verb: 'get', path: '/openapi.json', operationId: 'openapi', summary: 'This document', tag: 'service', kind: 'static',
    description: 'Generated from the method table; `servers` names the server that answered.',
    responses: { '200': { description: 'The OpenAPI 3.1 document.', mediaType: 'application/json', schema: { type: 'object' } } },
  },
  { verb: 'get', path: '/event-types/flat.json', operationId: 'eventTypes.flat', summary: 'The event-type directory (product extension)', tag: 'event-types', kind: 'static', responses: directoryResponses },
  { verb: 'get', path: '/reg/event-types/flat.json', operationId: 'eventTypes.flat-reg', summary: 'The event-type directory, under /reg', tag: 'event-types', kind: 'static', responses: directoryResponses },
  {
    verb: 'get', path: '/event-types/LICENSE', operationId: 'eventTypes.license', summary: "The directory's upstream BSD-3-Clause notice", tag: 'event-types', kind: 'static',
    responses: { '200': { description: 'The license text.', mediaType: 'text/plain', schema: { type: 'string' } } },
  },
  {
    verb: 'get', path: '/s/{code}', operationId: 'shareLink.page', summary: 'Open a share link (product extension)', tag: 'share-links', kind: 'static',
    description: 'The `shareUrl` that accesses.create returns for a shared access. HTML for browsers; no script runs.',
    query: [pageParam],
    responses: sharePages,
  },
  {
    verb: 'get', path: '/{username}/', operationId: 'shareLink.pageByToken', summary: 'The share page of a shared token, for a browser', tag: 'share-links', kind: 'static', token: true,
    description: 'Only when `Accept` lists `text/html`, e.g. `/{username}/?auth={token}` opened in a browser; API clients get 404 `unknown-resource` here.',
    query: [pageParam],
    responses: sharePages,
  },
  {
    verb: 'get', path: '/{username}/notifications', operationId: 'notifications.open', summary: 'Plain WebSocket notification channel', tag: 'real-time', kind: 'static', token: true,
    description:
      'With `Upgrade: websocket`. The token (`?auth=` or `Authorization`) is checked before the upgrade. Frames: `{"messages": ["eventsChanged" | "streamsChanged" | "accessesChanged"], "meta": {…}}`, coalesced within 100 ms; closed with 4403 `forbidden` when the access is revoked or expires.',
    responses: {
      '101': { description: 'Switched to WebSocket.' },
      '400': { description: '`invalid-request-structure`: a GET without `Upgrade: websocket`.', mediaType: 'application/json' },
      '401': { description: '`invalid-access-token`: no token.', mediaType: 'application/json' },
      '403': { description: '`invalid-access-token` (unknown or revoked token) or `forbidden` (expired access).', mediaType: 'application/json' },
      '404': { description: '`unknown-resource`: unknown user.', mediaType: 'application/json' },
      '429': { description: '`too-many-attempts`: the account has `REALTIME_MAX_SOCKETS` open sockets.', mediaType: 'application/json' },
    },
  },
  {
    verb: 'get', path: '/socket.io/', operationId: 'socketIo.engine', summary: 'Socket.IO v4 (Engine.IO 4, WebSocket transport only)', tag: 'real-time', kind: 'static', token: true,
    description:
      'As `@pryv/socket.io` connects: `{apiEndpoint without token}{username}?auth={token}` with `transports: ["websocket"]`; the namespace is `/{username}` or `/{username}/{username}`. Events `eventsChanged`, `streamsChanged`, `accessesChanged`, `accessUpdated`; `emit(methodId, params, ack)` and `callBatch` run like HTTP calls. Refusals are Socket.IO connect errors.',
    query: [
      { name: 'EIO', description: 'Engine.IO protocol: `4`.', schema: { type: 'string', enum: ['4'] } },
      { name: 'transport', description: '`websocket` (polling is not served).', schema: { type: 'string', enum: ['websocket'] } },
    ],
    responses: {
      '101': { description: 'Switched to WebSocket; the Engine.IO handshake follows.' },
      '400': { description: "Engine.IO's own error `{code, message, context}`: another transport (0, `Transport unknown`), another protocol version (5) or no upgrade (3).", mediaType: 'application/json' },
    },
  },
  {
    verb: 'get', path: '/reg/auth', operationId: 'consent.page', summary: 'The consent page of an app authorization request (default `authUrl`)', tag: 'auth-requests', kind: 'static',
    description: 'Opened by a person from the `authUrl` of `POST /reg/access`: the request in words (en, fr, de) and a sign-in form. HTML, no script.',
    query: [
      { name: 'key', description: 'The request\'s key.', schema: { type: 'string' } },
      { name: 'lang', description: 'Language of the request (the page reads it from the request itself).', schema: { type: 'string' } },
    ],
    responses: {
      '200': { description: 'The request and the sign-in form.', mediaType: HTML },
      '404': { description: 'Unknown or expired request.', mediaType: HTML },
      '410': { description: 'The request was already answered.', mediaType: HTML },
    },
  },
  {
    verb: 'post', path: '/reg/auth', operationId: 'consent.answer', summary: 'One step of the consent page (its own forms)', tag: 'auth-requests', kind: 'static',
    description:
      'The page\'s `multipart/form-data` forms: sign in, second factor, accept or refuse. Each form carries a single-use token and is taken only when sent ' +
      'from the page itself (`Sec-Fetch-Site: same-origin`). Accepting or refusing answers the request and redirects (303) to its `returnURL` when it has one.',
    responses: {
      '200': { description: 'The next step, or the final page.', mediaType: HTML },
      '303': { description: 'Back to the app\'s `returnURL` with `prYvkey`, `prYvstatus` and `prYvpoll`.' },
      '400': { description: 'An expired or reused form: the sign-in form again.', mediaType: HTML },
      '401': { description: 'Wrong credentials or second-factor code: the form again, with why.', mediaType: HTML },
      '403': { description: 'A form sent from another site.', mediaType: HTML },
      '404': { description: 'Unknown or expired request.', mediaType: HTML },
      '410': { description: 'The request was already answered.', mediaType: HTML },
      '429': { description: 'Too many failed sign-ins: the form again, with `Retry-After`.', mediaType: HTML },
    },
  },
  {
    verb: 'get', path: '/assets/index.json', operationId: 'assets.index', summary: 'The service assets\' definitions', tag: 'service', kind: 'static',
    description:
      'What service info\'s `assets.definitions` names (unless the operator set `ASSETS_URL`): favicon, CSS and the ' +
      'login button of the `pryv` client, as paths relative to this file, all served under `/assets/`.',
    responses: {
      '200': { description: 'The definitions.', mediaType: 'application/json', schema: { type: 'object', required: ['favicon', 'css', 'lib-js'] } },
      '404': { description: 'Not served by this deployment (no assets binding).', mediaType: 'application/json', schema: { type: 'object' } },
    },
  },
];
