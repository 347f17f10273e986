/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what the server answers: the items and envelopes that
 * result keys hold. Outputs are built by functions, not valibot schemas, so they are written here; they are
 * closed (`additionalProperties: false`) so that the end-to-end test checking real answers against them
 * notices any undocumented key. Shapes follow src/storage/events.ts `eventOutput`,
 * src/methods/stream-output.ts, src/methods/access-output.ts and src/methods/service.ts.
 */
import type { JsonSchema } from '@valibot/to-json-schema';

export const ref = (name: ShapeName): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const str = (description?: string): JsonSchema => (description ? { type: 'string', description } : { type: 'string' });
const num = (description: string): JsonSchema => ({ type: 'number', description });
const strings = (description: string): JsonSchema => ({ type: 'array', items: { type: 'string' }, description });
const openObject = (description: string): JsonSchema => ({ type: 'object', description });

function closed(properties: Record<string, JsonSchema>, required: string[], description: string): JsonSchema {
  return { type: 'object', description, properties, required, additionalProperties: false };
}

const tracking = {
  created: num('Creation time (float seconds).'),
  createdBy: str('Id of the access that created it, or "system".'),
  modified: num('Last modification time (float seconds).'),
  modifiedBy: str('Id of the access that last modified it, or "system".'),
};
const TRACKING_KEYS = Object.keys(tracking);

const streamPermission = closed(
  {
    streamId: str('A stream id, or "*" for every stream of the account.'),
    level: { type: 'string', enum: ['none', 'read', 'create-only', 'contribute', 'manage'] },
    tags: strings('Narrowing (product extension): only events carrying at least one of these tags.'),
    fromTime: num('Narrowing (product extension): only events whose span reaches this time or later.'),
    toTime: num('Narrowing (product extension): only events whose span starts at this time or earlier.'),
  },
  ['streamId', 'level'],
  'A stream permission. `defaultName`/`name` given on input are not stored.',
);
const featurePermission = closed(
  { feature: str('`selfRevoke` (the access may not delete itself); other names are stored and have no effect.'), setting: { const: 'forbidden' } },
  ['feature', 'setting'],
  'A feature permission.',
);

const accessProperties: Record<string, JsonSchema> = {
  id: str(),
  token: str('Present when the token can be shown (not for an ended personal session).'),
  apiEndpoint: str('`{scheme}://{token}@{host}/{username}/`: the token as URL userinfo. Present with `token`.'),
  type: { type: 'string', enum: ['personal', 'app', 'shared'] },
  name: str(),
  deviceName: { type: ['string', 'null'], description: 'Always present; `null` unless set on an app access.' },
  permissions: { type: 'array', items: { oneOf: [streamPermission, featurePermission] }, description: 'Always `[]` for personal accesses.' },
  expires: num('Expiry time; absent when the access never expires.'),
  lastUsed: num('Last use, at 5-minute precision.'),
  clientData: openObject('Free data of the client.'),
  ...tracking,
};
const ACCESS_REQUIRED = ['id', 'type', 'name', 'deviceName', 'permissions', ...TRACKING_KEYS];

export const SHAPES = {
  Meta: closed(
    {
      apiVersion: str('API level, semver (also the `API-Version` header).'),
      serverTime: num('Server clock at response time, float seconds.'),
      serial: str('Changes with every deployment.'),
    },
    ['apiVersion', 'serverTime', 'serial'],
    'Carried by every JSON answer, errors included, as its last key.',
  ),
  Error: closed(
    {
      id: str('Error id from the catalogue (docs/api.md).'),
      message: str('Human-readable; only a few exact texts are stable.'),
      data: { description: 'Details: the offending keys, or `[{code, message, path}]` for schema failures.' },
      subErrors: { type: 'array', items: { type: 'object' } },
    },
    ['id', 'message'],
    'An error.',
  ),
  ErrorEnvelope: closed(
    { error: { $ref: '#/components/schemas/Error' }, meta: { $ref: '#/components/schemas/Meta' } },
    ['error', 'meta'],
    'Every error answer.',
  ),
  Event: closed(
    {
      id: str(),
      streamIds: strings('The streams the event is in, all of them, even those the access cannot see.'),
      time: num('Start time.'),
      duration: { type: ['number', 'null'], minimum: 0, description: 'Absent or 0: a point event; `null`: running.' },
      type: str('`class/format`, see GET /event-types/flat.json.'),
      content: { description: 'Any JSON; validated when the type is in the directory. Absent when none.' },
      tags: strings('Product extension: always present, `[]` when none.'),
      description: str(),
      clientData: openObject('Free data of the client.'),
      attachments: { type: 'array', items: { $ref: '#/components/schemas/Attachment' }, description: 'Present only when the event has files.' },
      trashed: { const: true, description: 'Present only when the event is in the trash.' },
      ...tracking,
    },
    ['id', 'streamIds', 'time', 'type', 'tags', ...TRACKING_KEYS],
    'An event.',
  ),
  Attachment: closed(
    {
      id: str(),
      fileName: str(),
      type: str('The media type given at upload.'),
      size: { type: 'integer', minimum: 0, description: 'Bytes.' },
      readToken: str('Lets this access download the file without a token header: `?readToken=…` (§5.5).'),
      integrity: str('`sha256-{base64}` of the bytes.'),
    },
    ['id', 'fileName', 'type', 'size', 'readToken', 'integrity'],
    'A file attached to an event (§4.6).',
  ),
  Stream: closed(
    {
      id: str(),
      name: str(),
      parentId: { type: ['string', 'null'], description: '`null` for a root stream.' },
      clientData: openObject('Free data of the client.'),
      trashed: { const: true, description: 'Present only when the stream itself is in the trash.' },
      children: { type: 'array', items: { $ref: '#/components/schemas/Stream' }, description: 'Only in streams.get answers.' },
      ...tracking,
    },
    ['id', 'name', 'parentId', ...TRACKING_KEYS],
    'A stream.',
  ),
  Access: closed(
    { ...accessProperties, shareUrl: str('Only when accesses.create made a shared access: its share link, `{base}/s/{code}`.') },
    ACCESS_REQUIRED,
    'An access.',
  ),
  DeletedAccess: closed({ ...accessProperties, deleted: num('Deletion time.') }, [...ACCESS_REQUIRED, 'deleted'], 'A deleted access.'),
  AccessInfo: closed(
    { ...accessProperties, user: closed({ username: str() }, ['username'], 'The account.') },
    [...ACCESS_REQUIRED, 'user'],
    'The calling access, at the top level of the answer.',
  ),
  Account: closed(
    {
      username: str(),
      email: str(),
      language: str('1 to 5 characters.'),
      storageUsed: closed(
        { dbDocuments: num('Bytes of the account\'s events (approximate).'), attachedFiles: num('Bytes of their attached files.') },
        ['dbDocuments', 'attachedFiles'],
        'Storage used, kept as events and files come and go.',
      ),
    },
    ['username', 'email', 'language', 'storageUsed'],
    'The account (personal accesses only).',
  ),
  CheckedPermission: {
    oneOf: [
      closed(
        {
          ...streamPermission.properties,
          name: str('The name of the stream, which exists.'),
          defaultName: str('The name to give the stream, which does not exist yet: a clash with a root stream is renamed `name (n)`.'),
        },
        ['streamId', 'level'],
        'A requested stream permission, checked.',
      ),
      featurePermission,
    ],
  },
  ItemDeletion: closed({ id: str(), deleted: num('Deletion time.') }, ['id', 'deleted'], 'A deletion record.'),
  UpdatedEvent: closed(
    { id: str(), action: { type: 'string', enum: ['mergedToParent', 'updatedStreamIds', 'deleted'] } },
    ['id', 'action'],
    'What a stream deletion did to one of its events.',
  ),
  FollowedSlice: closed({ id: str(), name: str(), url: str(), accessToken: str() }, ['id', 'name', 'url', 'accessToken'], 'A followed slice.'),
  WebhookRun: closed(
    { status: num('HTTP status of the answer, or 0 for a refused URL, a network error or a timeout.'), timestamp: num('When the run ended.') },
    ['status', 'timestamp'],
    'One delivery attempt.',
  ),
  Webhook: closed(
    {
      id: str(),
      accessId: str('The access that created it.'),
      url: str(),
      state: { type: 'string', enum: ['active', 'inactive'] },
      minIntervalMs: num('Bundling window and retry step (operator setting).'),
      maxRetries: num('Consecutive failed runs before the webhook becomes inactive (operator setting).'),
      currentRetries: num('Consecutive failed runs so far.'),
      runCount: num('Runs in all.'),
      failCount: num('Failed runs in all.'),
      lastRun: { oneOf: [{ $ref: '#/components/schemas/WebhookRun' }, { type: 'null' }], description: 'The newest run, null before the first.' },
      runs: { type: 'array', items: { $ref: '#/components/schemas/WebhookRun' }, description: 'Newest first, at most 20.' },
      secret: str('Only in the answer of webhooks.create: the key of the `Pryv-Signature` HMAC, shown once.'),
      ...tracking,
    },
    ['id', 'accessId', 'url', 'state', 'minIntervalMs', 'maxRetries', 'currentRetries', 'runCount', 'failCount', 'lastRun', 'runs', ...TRACKING_KEYS],
    'A webhook (§4.8).',
  ),
  ServiceInfo: closed(
    {
      name: str(),
      version: str(),
      serial: str(),
      api: str('User root template: `{base}{username}/` (path mode) or `{scheme}://{username}.{domain}/`.'),
      register: str(),
      access: str(),
      home: str(),
      support: str(),
      terms: str(),
      eventTypes: str('Absolute URL of the event-type directory.'),
      assets: closed({ definitions: str() }, ['definitions'], 'Asset definitions for clients.'),
      features: closed(
        { noHF: { type: 'boolean' }, contentQueries: { type: 'boolean' }, tags: { type: 'boolean' }, permissionNarrowing: { type: 'boolean' }, mfa: { type: 'boolean', description: 'Two-factor sign-in with TOTP (the `U/mfa/*` routes).' } },
        ['noHF', 'contentQueries', 'tags', 'permissionNarrowing', 'mfa'],
        'What this server offers.',
      ),
    },
    ['name', 'version', 'serial', 'api', 'register', 'access', 'home', 'support', 'terms', 'eventTypes', 'assets', 'features'],
    'Service info, at the top level of the answer.',
  ),
  Hostings: closed(
    {
      regions: {
        type: 'object',
        additionalProperties: closed(
          {
            name: str(),
            zones: {
              type: 'object',
              additionalProperties: closed(
                {
                  name: str(),
                  hostings: {
                    type: 'object',
                    additionalProperties: closed(
                      { name: str(), description: str(), url: str(), available: { type: 'boolean' }, availableCore: str() },
                      ['name', 'description', 'url', 'available', 'availableCore'],
                      'A hosting.',
                    ),
                  },
                },
                ['name', 'hostings'],
                'A zone.',
              ),
            },
          },
          ['name', 'zones'],
          'A region.',
        ),
      },
    },
    ['regions'],
    'The single region, zone and hosting of this server.',
  ),
  AuditVerification: closed(
    {
      ok: { type: 'boolean', description: 'True when the whole chain, its head and its checkpoints agree.' },
      records: num('Records checked after the anchor.'),
      anchor: closed({ seq: num('Seq verification starts after.'), hash: str() }, ['seq', 'hash'], 'Where the chain starts (0 and zeros, or the checkpoint retention cut at).'),
      head: { anyOf: [closed({ seq: num('Last seq.'), hash: str() }, ['seq', 'hash'], 'The chain head.'), { type: 'null' }] },
      checkpoints: num('Signed checkpoints of this chain.'),
      signaturesChecked: { type: 'boolean', description: 'False when the server has no signing key configured.' },
      problem: closed(
        {
          kind: { type: 'string', enum: ['gap', 'hash-mismatch', 'head-mismatch', 'anchor-unsigned', 'checkpoint-signature', 'checkpoint-mismatch'] },
          seq: num('The seq the problem is at (a gap: the first missing one).'),
          recordId: str('The record concerned, when still stored.'),
          missing: closed({ from: num('First missing seq.'), to: num('Last missing seq.') }, ['from', 'to'], 'The seqs a gap lacks.'),
          message: str(),
        },
        ['kind', 'seq', 'message'],
        'The first broken link.',
      ),
    },
    ['ok', 'records', 'anchor', 'head', 'checkpoints', 'signaturesChecked'],
    "The result of recomputing the account's audit hash chain.",
  ),
} satisfies Record<string, JsonSchema>;

export type ShapeName = keyof typeof SHAPES;
