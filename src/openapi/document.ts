/**
 * Builds the OpenAPI 3.1 document from the method table: every route of src/api/routes.ts (user and public
 * routes) and of ./other-routes.ts, each method's parameters converted from its own valibot schema, its result
 * keys and the error ids it can answer (./method-docs.ts plus what the route adds: token, body, user root).
 * Served at GET /openapi.json and written to docs/openapi.json by `npm run build:openapi`
 * (docs/decisions/010-openapi-from-the-method-table.md).
 */
import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { DEFAULT_LIMITS } from '../core/limits';
import { jsonObject } from '../core/params';
import { ApiError, err, type ErrorId } from '../core/errors';
import { BODY_LIMIT } from '../api/request-body';
import { uploadedFilesSchema } from '../core/uploads';
import { PUBLIC_ROUTES, USER_ROUTES, type ParamSource } from '../api/routes';
import { readConfig } from '../config';
import type { Env } from '../env';
import { USERNAME_PATTERN } from '../lib/username';
import { METHODS } from '../methods';
import type { MethodDef } from '../methods/table';
import { BATCH_DOC, METHOD_DOCS, type MethodDoc, type ResultDoc } from './method-docs';
import { OTHER_ROUTES, type OtherRoute } from './other-routes';
import { ref, SHAPES } from './shapes';

type Json = Record<string, unknown>;
type Verb = 'get' | 'post' | 'put' | 'delete';

/**
 * Valibot actions with no JSON Schema equivalent, left out on purpose: `finite` (a JSON number always is),
 * `trim` (a transformation; lengths are checked after it) and `check` (custom predicates, such as "not a
 * reserved username", which the operation's description states) and `max_json_bytes` (a size limit of the
 * operator's, documented in docs/api.md). Any other unconvertible piece fails the build.
 */
const IGNORED_ACTIONS = ['finite', 'trim', 'check', 'max_json_bytes'];

/** The files of a multipart request, as OpenAPI describes binary form parts. */
const FILES_SCHEMA: JsonSchema = { type: 'array', items: { type: 'string', contentMediaType: 'application/octet-stream' } };

export function jsonSchemaOf(schema: v.GenericSchema): JsonSchema {
  const out = toJsonSchema(schema, {
    target: 'draft-2020-12',
    errorMode: 'throw',
    ignoreActions: IGNORED_ACTIONS,
    // A free-form object is a custom schema (it keeps every key as sent): in JSON Schema, any object.
    overrideSchema: ({ valibotSchema }) =>
      valibotSchema === jsonObject ? { type: 'object' } : valibotSchema === uploadedFilesSchema ? FILES_SCHEMA : undefined,
  });
  delete out.$schema;
  return out;
}

type ObjectSchema = v.GenericSchema & { entries: Record<string, v.GenericSchema> };
const entriesOf = (def: MethodDef): Record<string, v.GenericSchema> => (def.params as ObjectSchema).entries ?? {};

function methodDef(id: string): MethodDef {
  const def = METHODS.get(id);
  if (!def) throw new Error(`openapi: route to "${id}", which is not in the method table`);
  return def;
}

export function methodDoc(id: string): MethodDoc {
  const doc = METHOD_DOCS[id];
  if (!doc) throw new Error(`openapi: method "${id}" has no entry in src/openapi/method-docs.ts`);
  return doc;
}

/** The documented body of an update method: the listed create fields, all optional (see UpdateBodyDoc). */
export function updateBodySchema(id: string): v.GenericSchema {
  const spec = methodDoc(id).update;
  if (!spec) throw new Error(`openapi: update method "${id}" lacks "update" in src/openapi/method-docs.ts`);
  if ('anyKeys' in spec) return v.record(v.string(), v.unknown());
  const source = entriesOf(methodDef(spec.from));
  const fields: Record<string, v.GenericSchema> = {};
  for (const name of spec.fields) {
    if (!source[name]) throw new Error(`openapi: "${spec.from}" has no param "${name}" (update of "${id}")`);
    fields[name] = source[name];
  }
  return v.partial(v.strictObject({ ...fields, ...spec.replace }));
}

// ---- errors -----------------------------------------------------------------------------------------------

const statuses = new Map<ErrorId, number[]>();

/** `invalid-access-token` is 401 when the token is missing and 403 when it is unknown (§2.3). */
function statusesOf(id: ErrorId): number[] {
  let list = statuses.get(id);
  if (!list) {
    list = id === 'invalid-access-token' ? [err.missingToken().status, err.unknownToken().status] : [new ApiError(id, '').status];
    statuses.set(id, list);
  }
  return list;
}

interface RouteTraits {
  underUser: boolean;
  token: boolean;
  source: ParamSource;
}

/** Error ids the HTTP frame adds to a method's own: user lookup, token, request body or query string. */
function frameErrors(t: RouteTraits): ErrorId[] {
  const ids: ErrorId[] = ['unexpected-error'];
  if (t.underUser) ids.push('unknown-resource');
  if (t.token) ids.push('invalid-access-token', 'forbidden');
  if (t.source === 'query') ids.push('invalid-parameters-format', 'invalid-request-structure');
  if (t.source === 'body' || t.source === 'update' || t.source === 'files' || t.source === 'mfa') {
    // Malformed JSON or multipart, a media type the route does not take, an oversized body or file.
    ids.push('invalid-parameters-format', 'invalid-request-structure', 'unsupported-content-type', 'payload-too-large');
  }
  return ids;
}

function errorResponses(ids: readonly ErrorId[]): Json {
  const byStatus = new Map<number, Set<ErrorId>>();
  for (const id of ids) for (const status of statusesOf(id)) byStatus.set(status, (byStatus.get(status) ?? new Set()).add(id));
  const out: Json = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const list = [...byStatus.get(status)!].sort();
    out[String(status)] = {
      description: `Error: ${list.map((id) => `\`${id}\``).join(', ')}.`,
      content: {
        'application/json': {
          // The envelope, with `error.id` narrowed to the ids this route answers with this status.
          schema: { ...ref('ErrorEnvelope'), properties: { error: { properties: { id: { enum: list } } } } },
        },
      },
    };
  }
  return out;
}

// ---- results ----------------------------------------------------------------------------------------------

function resultSchema(r: ResultDoc): JsonSchema {
  if ('spread' in r) {
    const shape = SHAPES[r.spread] as JsonSchema;
    return { ...shape, properties: { ...shape.properties, meta: ref('Meta') }, required: [...(shape.required ?? []), 'meta'] };
  }
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, doc] of Object.entries(r.keys)) {
    properties[key] = doc.schema;
    if (!doc.optional) required.push(key);
  }
  return { type: 'object', properties: { ...properties, meta: ref('Meta') }, required: [...required, 'meta'], additionalProperties: false };
}

/** A download: the file's bytes, whole (200) or a `Range` of them (206). */
const FILE_RESPONSES: Json = {
  '200': {
    description: 'The file, with `Content-Type`, `Content-Length`, `Digest: SHA-256=…` and `X-Content-Type-Options: nosniff`.',
    content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
  },
  '206': { description: 'The requested `Range` of the file, with `Content-Range`.', content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
  '416': { description: 'A `Range` outside the file (`Content-Range: bytes */{size}`).' },
};

function successResponse(doc: MethodDoc): Json {
  if (doc.result === 'file') return FILE_RESPONSES;
  const alternatives = Array.isArray(doc.result) ? doc.result : [doc.result];
  const schema = alternatives.length === 1 ? resultSchema(alternatives[0]) : { oneOf: alternatives.map(resultSchema) };
  const out: Json = { [String(doc.status ?? 200)]: { description: 'Success; `meta` comes last.', content: { 'application/json': { schema } } } };
  for (const [status, other] of Object.entries(doc.otherAnswers ?? {})) {
    out[status] = { description: other.description, content: { 'application/json': { schema: resultSchema(other.result) } } };
  }
  return out;
}

// ---- parameters -------------------------------------------------------------------------------------------

const toOpenApiPath = (path: string): string => path.replace(/:([A-Za-z]+)/g, '{$1}');
const pathNames = (path: string): string[] => [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]);

const USERNAME_PARAM = {
  name: 'username',
  in: 'path',
  required: true,
  description: 'The account (path mode). In subdomain mode the account is the host `{username}.{domain}` instead.',
  schema: { type: 'string', pattern: USERNAME_PATTERN.source },
  example: 'alice',
};

function pathParam(name: string, schema: JsonSchema = { type: 'string' }): Json {
  return { name, in: 'path', required: true, schema };
}

/** Query-string values are coerced from the schema: repeated keys (`k=a&k=b` or `k[]=a`) for arrays, JSON text for objects. */
function queryParam(name: string, schema: JsonSchema, required: boolean, example: unknown): Json {
  const param: Json = { name, in: 'query', required, schema };
  if (schema.type === 'array') Object.assign(param, { style: 'form', explode: true });
  if (schema.type === undefined) param.description = 'JSON text, or (for `streams`) repeated stream ids.';
  if (example !== undefined) param.example = example;
  return param;
}

// ---- operations -------------------------------------------------------------------------------------------

const SECURITY_TOKEN = [{ token: [] }, { basic: [] }, { authQuery: [] }];
/** Downloads take the header or an attachment's `readToken`, never `?auth=` (§5.5). */
const SECURITY_DOWNLOAD = [{ token: [] }, { basic: [] }, { readToken: [] }];
const JSON_TYPE = 'application/json';
const MULTIPART_TYPE = 'multipart/form-data';

/** A multipart body (§5.5): file parts in any order, plus, for `events.create`, one part without a filename holding the event JSON. */
function multipartSchema(withEvent: boolean): JsonSchema {
  const file = { type: 'string', contentMediaType: 'application/octet-stream', description: 'A file part; its filename becomes `fileName`.' };
  return {
    type: 'object',
    description: withEvent ? 'One part without a filename (any name) is the event JSON; every other part is a file.' : 'Every part is a file.',
    properties: withEvent ? { event: { type: 'string', contentMediaType: JSON_TYPE, description: 'The event, as in the JSON body.' }, file } : { file },
    ...(withEvent ? { required: ['event'] } : {}),
  } as JsonSchema;
}

const TAG_OF: [prefix: string, tag: string][] = [
  ['service.', 'service'],
  ['auth.login', 'auth'],
  ['auth.logout', 'auth'],
  ['auth.', 'registration'],
  ['getAccessInfo', 'accesses'],
  ['accesses.', 'accesses'],
  ['followedSlices.', 'followed-slices'],
  ['account.', 'account'],
  ['authRequest.', 'auth-requests'],
  ['profile.', 'profile'],
  ['streams.', 'streams'],
  ['events.', 'events'],
];
const tagOf = (id: string): string => TAG_OF.find(([prefix]) => id.startsWith(prefix))?.[1] ?? 'general';

const TAGS = [
  { name: 'service', description: 'Service info and this document.' },
  { name: 'registration', description: 'Register endpoints under /reg (no token).' },
  { name: 'auth', description: 'Personal sessions.' },
  { name: 'auth-requests', description: 'App authorization requests under /reg (no token) and the consent page (§5.8).' },
  { name: 'batch', description: 'Several calls in one request.' },
  { name: 'accesses', description: 'Tokens and their permissions.' },
  { name: 'streams', description: 'The stream tree.' },
  { name: 'events', description: 'Timestamped, typed, tagged data.' },
  { name: 'followed-slices', description: "Bookmarks of other accounts' shared slices." },
  { name: 'account', description: 'The account: e-mail, language, password, storage used (personal tokens).' },
  { name: 'profile', description: 'Profile sets: public, private, and one per app.' },
  { name: 'event-types', description: 'The published event-type directory (product extension).' },
  { name: 'share-links', description: 'Read-only pages of shared accesses (product extension).' },
  { name: 'real-time', description: 'WebSocket upgrades: the plain notification channel and Socket.IO v4 (§5.14).' },
  { name: 'not-available', description: 'Routes that are removed (410) or not shipped yet (451).' },
];

function whoText(def: MethodDef): string {
  if (def.auth === 'public') return 'No token.';
  if (def.auth === 'user') return 'No token; the account must exist.';
  return `Token of a ${def.who.join(', ')} access.${def.batch ? ` Also callable in a batch as \`${def.id}\`.` : ''}`;
}

function methodOperation(id: string, path: string, source: ParamSource, underUser: boolean, operationId: string): Json {
  const def = methodDef(id);
  const doc = methodDoc(id);
  const token = def.auth === 'access';
  const names = pathNames(path).filter((n) => !(underUser && n === 'username'));
  const entries = entriesOf(def);
  const parameters: Json[] = underUser ? [USERNAME_PARAM] : [];
  for (const name of names) parameters.push(pathParam(name, entries[name] ? jsonSchemaOf(entries[name]) : undefined));
  const op: Json = {
    operationId,
    tags: [tagOf(id)],
    summary: doc.summary,
    description: [doc.description, whoText(def)].filter(Boolean).join('\n\n'),
    'x-pryv-method': id,
    'x-pryv-batch': token && def.batch,
  };
  if (token) op['x-pryv-access-types'] = def.who;
  op.security = !token ? [] : def.readTokenParam ? SECURITY_DOWNLOAD : SECURITY_TOKEN;
  if (source === 'query') {
    const schema = jsonSchemaOf(def.params);
    const required = new Set(schema.required ?? []);
    const example = (doc.example ?? {}) as Json;
    for (const [name, s] of Object.entries(schema.properties ?? {})) {
      if (!names.includes(name)) parameters.push(queryParam(name, s as JsonSchema, required.has(name), example[name]));
    }
  }
  if (source === 'mfa') {
    // The `mfaToken` param comes from the `Authorization` header, not the body.
    parameters.push({ name: 'Authorization', in: 'header', required: true, description: 'The `mfaToken` of the pending step.', schema: { type: 'string' } });
  }
  if (source === 'body' || source === 'update' || source === 'mfa') {
    const schema = source === 'update' ? jsonSchemaOf(updateBodySchema(id)) : jsonSchemaOf(def.params);
    if (source === 'mfa') {
      delete schema.properties?.mfaToken;
      schema.required = schema.required?.filter((name) => name !== 'mfaToken');
    }
    // Files come only as multipart parts, never in JSON.
    const files = source === 'body' && def.auth === 'access' && def.files ? schema.properties?.attachments : undefined;
    if (files) delete schema.properties!.attachments;
    // Path params (`POST /reg/access/{key}`) come from the path, not the body.
    for (const name of names) {
      if (schema.properties) delete schema.properties[name];
      if (schema.required) schema.required = schema.required.filter((r: string) => r !== name);
    }
    const media: Json = { schema };
    if (doc.example !== undefined) media.example = doc.example;
    const content: Json = { [JSON_TYPE]: media };
    if (files) content[MULTIPART_TYPE] = { schema: multipartSchema(true) };
    op.requestBody = { required: (schema.required ?? []).length > 0, content };
  }
  if (source === 'files') op.requestBody = { required: true, content: { [MULTIPART_TYPE]: { schema: multipartSchema(false) } } };
  if (parameters.length > 0) op.parameters = parameters;
  const errors = new Set<ErrorId>([...frameErrors({ underUser, token, source }), ...doc.errors]);
  op.responses = { ...successResponse(doc), ...errorResponses([...errors]) };
  return op;
}

function batchOperation(): Json {
  const callable = [...METHODS.values()].filter((d) => d.auth === 'access' && d.batch).map((d) => d.id);
  const call = {
    type: 'object',
    required: ['method', 'params'],
    additionalProperties: false,
    properties: {
      method: { type: 'string', description: `One of: ${callable.join(', ')}. Any other id answers an inline \`invalid-method\`.` },
      params: { type: ['object', 'array'] },
    },
  };
  return {
    operationId: 'callBatch',
    tags: ['batch'],
    summary: BATCH_DOC.summary,
    description: BATCH_DOC.description,
    'x-pryv-method': 'callBatch',
    'x-pryv-batch-methods': callable,
    security: SECURITY_TOKEN,
    parameters: [USERNAME_PARAM],
    requestBody: { required: true, content: { [JSON_TYPE]: { schema: { type: 'array', maxItems: DEFAULT_LIMITS.batchCalls, items: call }, example: BATCH_DOC.example } } },
    responses: {
      '200': {
        description: 'One entry per call, in order: that method\'s result keys (no `meta`), or `{error}`.',
        content: {
          [JSON_TYPE]: {
            schema: {
              type: 'object',
              required: ['results', 'meta'],
              additionalProperties: false,
              properties: { results: { type: 'array', items: { type: 'object' } }, meta: ref('Meta') },
            },
          },
        },
      },
      ...errorResponses([...frameErrors({ underUser: true, token: true, source: 'body' })]),
    },
  };
}

function notAvailableOperation(kind: 'removed' | 'unavailable', path: string, underUser: boolean, operationId: string, summary: string): Json {
  const parameters = [...(underUser ? [USERNAME_PARAM] : []), ...pathNames(path).filter((n) => !(underUser && n === 'username')).map((n) => pathParam(n))];
  const ids: ErrorId[] = [kind === 'removed' ? 'removed-method' : 'unavailable-method', ...(underUser ? (['unknown-resource'] as const) : [])];
  const op: Json = { operationId, tags: ['not-available'], summary, security: [], responses: errorResponses(ids) };
  if (kind === 'removed') op.deprecated = true;
  if (parameters.length > 0) op.parameters = parameters;
  return op;
}

function staticOperation(route: OtherRoute): Json {
  const underUser = route.path.startsWith('/{username}');
  const parameters: Json[] = [
    ...(underUser ? [USERNAME_PARAM] : []),
    ...pathNames(route.path).filter((n) => !(underUser && n === 'username')).map((n) => pathParam(n)),
    ...(route.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema })),
  ];
  const responses: Json = {};
  for (const [status, r] of Object.entries(route.responses ?? {})) {
    responses[status] = r.mediaType ? { description: r.description, content: { [r.mediaType]: r.schema ? { schema: r.schema } : {} } } : { description: r.description };
  }
  const op: Json = { operationId: route.operationId, tags: [route.tag], summary: route.summary, security: route.token ? SECURITY_TOKEN : [], responses };
  if (route.description) op.description = route.description;
  if (parameters.length > 0) op.parameters = parameters;
  return op;
}

/** A method reached by several routes keeps its id as the first route's operationId; the others add their path. */
function operationIdFor(id: string, path: string, taken: Set<string>): string {
  const slug = path.replace(/\{[^}]+\}/g, '').split('/').filter(Boolean).join('-');
  const operationId = taken.has(id) ? `${id}-${slug}` : id;
  taken.add(operationId);
  return operationId;
}

/** The document, without `servers` (the build and the route each add theirs). */
export function buildOpenApi(): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const add = (path: string, verb: Verb, op: Json) => {
    paths[path] ??= {};
    if (paths[path][verb]) throw new Error(`openapi: ${verb.toUpperCase()} ${path} is declared twice`);
    paths[path][verb] = op;
  };
  const taken = new Set<string>();
  for (const route of PUBLIC_ROUTES) {
    const path = toOpenApiPath(route.path);
    add(path, route.verb.toLowerCase() as Verb, methodOperation(route.method, path, route.source, false, operationIdFor(route.method, path, taken)));
  }
  for (const route of USER_ROUTES) {
    const path = toOpenApiPath(`/{username}/${route.path.join('/')}`);
    const verb = route.verb.toLowerCase() as Verb;
    if (route.removed) add(path, verb, notAvailableOperation('removed', path, true, operationIdFor(`removed.${verb}`, path, taken), 'Removed from the API'));
    else if (route.unavailable) add(path, verb, notAvailableOperation('unavailable', path, true, operationIdFor(`unavailable.${verb}`, path, taken), `${route.unavailable}: not shipped yet`));
    else if (route.method === 'callBatch') add(path, verb, batchOperation());
    else add(path, verb, methodOperation(route.method!, path, route.source ?? 'none', true, operationIdFor(route.method!, path, taken)));
  }
  for (const route of OTHER_ROUTES) {
    const op = route.kind === 'static' ? staticOperation(route) : notAvailableOperation(route.kind, route.path, false, route.operationId, route.summary);
    add(route.path, route.verb, op);
  }
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pryv Edge API',
      version: readConfig({} as Env).apiVersion,
      summary: 'A personal-data API wire-compatible with Pryv API 2.x, on Cloudflare Workers.',
      description:
        'Generated from the method table (`npm run build:openapi`). Prose, permission rules and product extensions: ' +
        '`docs/api.md` in the repository. Every JSON answer, errors included, ends with `meta`. JSON request bodies ' +
        `are limited to ${BODY_LIMIT} bytes.`,
    },
    tags: TAGS,
    paths: sortedPaths,
    components: {
      schemas: SHAPES,
      securitySchemes: {
        token: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'The token itself, or `Bearer {token}`.' },
        basic: { type: 'http', scheme: 'basic', description: 'The token as the user name (`curl -u "$TOKEN:"`).' },
        authQuery: { type: 'apiKey', in: 'query', name: 'auth', description: 'Only when no `Authorization` header is sent.' },
        readToken: { type: 'apiKey', in: 'query', name: 'readToken', description: "An attachment's `readToken`: downloads of that file only." },
      },
    },
  };
}

/** The document as served or committed: `servers` lists the one base URL it describes. */
export function withServer(doc: Json, serverUrl: string, description: string): Json {
  const { openapi, info, ...rest } = doc;
  return { openapi, info, servers: [{ url: serverUrl, description }], ...rest };
}
