import { env, SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES, USER_ROUTES, type ParamSource } from '../src/api/routes';
import { ERROR_STATUS, type ErrorId } from '../src/core/errors';
import { DEFAULT_LIMITS as LIMITS } from '../src/core/limits';
import { METHODS } from '../src/methods';
import { MAX_EVENT_BYTES } from '../src/methods/event-input';
import { BASE, call, newUser } from './helpers';
import { accountD1, accountD1ById } from './db-fixtures';

/**
 * Hostile input over every route of the method table (issue 20), generated: each answer is below 500 and,
 * when an error, the Pryv envelope with a catalogue id; afterwards the attacker's own rows are well formed
 * and a victim account's rows are byte-identical to before.
 */

/** Generated requests: about 5 s in workerd on an idle 2-core machine, 15 s on a loaded one. */
const NUM_RUNS = 600;
/** Headroom for a machine shared with other builds; the runs themselves take a fraction of it. */
const FUZZ_TIMEOUT_MS = 120_000;

// ---- Routes, from the tables the Worker itself routes with ----

interface Route {
  verb: string;
  /** Path segments; `:name` is filled from the id pool, `U` marks the user root. */
  segments: string[];
  method?: string;
  source: ParamSource;
}

const ROUTES: Route[] = [
  ...USER_ROUTES.map((r) => ({ verb: r.verb, segments: ['U', ...r.path], method: r.method, source: r.source ?? 'none' })),
  ...PUBLIC_ROUTES.map((r) => ({ verb: r.verb, segments: r.path.split('/').filter((s) => s.length > 0), method: r.method, source: r.source })),
];

type SchemaNode = { type: string; wrapped?: SchemaNode; entries?: Record<string, SchemaNode> };
const entriesOf = (methodId: string | undefined) =>
  (methodId === undefined ? undefined : (METHODS.get(methodId)?.params as SchemaNode | undefined))?.entries ?? {};
const unwrap = (s: SchemaNode): SchemaNode => (s.wrapped ? unwrap(s.wrapped) : s);

/** Param names a method's schema declares, so generated params often reach past the closed-schema check. */
const schemaKeys = (methodId: string | undefined): string[] => Object.keys(entriesOf(methodId));
/** Its numeric params, which get edge-of-range values (`skip=1e308` answered 500 once). */
const numberKeys = (methodId: string | undefined): string[] =>
  Object.entries(entriesOf(methodId)).filter(([, s]) => unwrap(s).type === 'number').map(([k]) => k);
/** Item fields an update body may name (update schemas live inside their handlers). */
const ITEM_FIELDS = [
  'name', 'parentId', 'clientData', 'trashed', 'streamIds', 'streamId', 'time', 'duration', 'type', 'content', 'tags',
  'description', 'permissions', 'expireAfter', 'expires', 'deviceName', 'url', 'accessToken', 'id',
];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', '', 'a[b]', 'auth', 'skip', 'limit'];

// ---- Generated values, written as JSON text so that keys such as __proto__ survive ----

const DEPTH = LIMITS.jsonDepth;
const NUMBER_TEXTS = [
  '0', '-0', '1', '-1', '1.5', '1e308', '-1e308', '1.7976931348623157e+308', '5e-324', '1e999', '-1e999', '9007199254740993',
  '2147483648', '1000001', '18446744073709551616',
];
const STRINGS = [
  '', ' ', '*', ':x', 'null', '..', '../../x', '%00', '%FF', "a' OR '1'='1", 'a"; DROP TABLE events; --', '💩', '\u0000',
  '\uD800', 'a\uDC00b', 'é', 'mass/kg', 'note/txt', 'x'.repeat(LIMITS.nameLength + 1), 'i'.repeat(LIMITS.idLength + 1),
];
const BIG = (LIMITS.clientDataBytes * 1.1) | 0;

/** `"\ud800"` as JSON text: JSON.stringify writes lone surrogates as escapes, as a client would. */
const str = (s: string) => JSON.stringify(s);
const scalarText = fc.oneof(
  fc.constantFrom(...NUMBER_TEXTS),
  fc.constantFrom(...STRINGS).map(str),
  fc.string({ maxLength: 12 }).map(str),
  fc.string({ unit: 'binary', maxLength: 6 }).map(str),
  fc.constantFrom('true', 'false', 'null'),
  fc.double().map((d) => JSON.stringify(d)),
);
const keyText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ITEM_FIELDS, ...HOSTILE_KEYS).map(str) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }).map(str) },
  { weight: 1, arbitrary: fc.constantFrom('"\\u005f_proto__"', '"\\ud800"') },
);
/** Nested far past the limit, or just at it: arrays or objects. */
const deepText = fc.tuple(fc.oneof(fc.integer({ min: DEPTH - 3, max: DEPTH + 2 }), fc.integer({ min: DEPTH, max: 10_000 })), fc.boolean())
  .map(([n, arrays]) => (arrays ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`));
const bigText = fc.constantFrom(str('x'.repeat(BIG)), `{"a":${str('x'.repeat(BIG))}}`);

const { value: valueText } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4, withCrossShrink: true },
    { weight: 6, arbitrary: scalarText },
    { weight: 2, arbitrary: tie('array') },
    { weight: 3, arbitrary: tie('object') },
    { weight: 1, arbitrary: deepText },
    { weight: 1, arbitrary: bigText },
  ),
  array: fc.array(tie('value'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
  object: fc.array(fc.tuple(keyText, tie('value')), { maxLength: 4 }).map((es) => `{${es.map(([k, v]) => `${k}:${v}`).join(',')}}`),
}));

/** An object whose keys are mostly the method's own params. */
const paramsText = (keys: string[]) =>
  fc.array(fc.tuple(keys.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...keys).map(str) }, { weight: 1, arbitrary: keyText }) : keyText, valueText), { maxLength: 5 })
    .map((es) => `{${es.map(([k, v]) => `${k}:${v}`).join(',')}}`);

/** A valid-looking call per writing method, so that hostile free-form fields reach storage. */
const nameArb = fc.string({ unit: fc.constantFrom(...'abcdef0123456789'), minLength: 4, maxLength: 8 }).map((x) => str(`n-${x}`));
const TEMPLATES: Record<string, Record<string, fc.Arbitrary<string>>> = {
  'streams.create': { name: nameArb, parentId: fc.constantFrom('null', '"s1"') },
  'streams.update': { name: nameArb },
  'events.create': { streamIds: fc.constant('["s1"]'), type: fc.constantFrom('"note/txt"', '"my-class/any"'), content: fc.constant('"c"') },
  'events.update': { content: fc.constant('"c"') },
  'accesses.create': { name: nameArb, permissions: fc.constant('[{"streamId":"s1","level":"read"}]') },
  'accesses.update': { name: nameArb },
  'followedSlices.create': { name: nameArb, url: fc.constant('"https://x.example/u/"'), accessToken: fc.constant('"t"') },
  'followedSlices.update': { name: nameArb },
};
const FREE_FORM_KEYS = ['clientData', 'content', 'name', 'description', 'tags', 'time', 'duration', 'trashed', '__proto__', 'constructor', 'prototype'];
/** An object value, for fields that must be one (`clientData`). */
const objectText = valueText.filter((t) => t.startsWith('{'));

const nearValid = (methodId: string) => fc.tuple(
  fc.record(TEMPLATES[methodId]),
  fc.array(fc.tuple(fc.constantFrom(...FREE_FORM_KEYS), fc.oneof(valueText, objectText)), { maxLength: 2 }),
).map(([fields, extra]) => {
  const all: Record<string, string> = { ...fields, ...Object.fromEntries(extra) };
  return `{${Object.entries(all).map(([k, v]) => `${str(k)}:${v}`).join(',')}}`;
});

/** A body: often a valid-looking call with hostile parts, else params of the method, another value, broken JSON. */
const bodyText = (methodId: string | undefined, keys: string[]) => fc.oneof(
  ...(methodId !== undefined && methodId in TEMPLATES ? [{ weight: 10, arbitrary: nearValid(methodId) }] : []),
  { weight: 4, arbitrary: paramsText(keys) },
  { weight: 2, arbitrary: valueText },
  { weight: 1, arbitrary: fc.constantFrom('', '{', '{"a":1,}', 'nul', '[1,]', '{"a" 1}', '\uFEFF{}', '{"a":"\\x"}', '"unterminated') },
);

const queryValue = fc.oneof(
  fc.constantFrom(...NUMBER_TEXTS, 'NaN', 'Infinity', '0x10', '1e', '', 'true', 'TRUE'),
  fc.constantFrom(...STRINGS),
  valueText,
);
const queryText = (keys: string[], numeric: string[]) => fc.array(
  fc.oneof(
    fc.tuple(fc.oneof(fc.constantFrom(...keys, ...HOSTILE_KEYS), fc.constantFrom(...keys, 'x').map((k) => `${k}[]`)), queryValue),
    ...(numeric.length > 0 ? [fc.tuple(fc.constantFrom(...numeric), fc.constantFrom(...NUMBER_TEXTS))] : []),
  ),
  { maxLength: 4 },
).map((pairs) => new URLSearchParams(pairs).toString());

// ---- Who sends what ----

interface Account { username: string; password: string; tokens: Record<'personal' | 'app' | 'shared', string> }
/** The attacker's ids by route family (`events`, `streams`, …), and all of them (`any`). */
type Ids = Record<string, string[]>;
interface World { attacker: Account; victim: { username: string; ids: string[] }; ids: Ids }

interface Request {
  route: Route;
  user: 'attacker' | 'victim' | 'unknown' | 'invalid';
  ids: string[];
  token: 'personal' | 'app' | 'shared' | 'none' | 'garbage';
  tokenIn: 'header' | 'query' | 'bearer';
  transport: 'direct' | 'override' | 'batch';
  contentType: string;
  overrideVerb: string;
  query: string;
  body: string;
}

const request = (world: () => World): fc.Arbitrary<Request> =>
  fc.constantFrom(...ROUTES).chain((route) => {
    const keys = schemaKeys(route.method);
    const bodyKeys = route.source === 'update' ? ITEM_FIELDS : keys;
    return fc.record({
      route: fc.constant(route),
      user: fc.oneof({ weight: 8, arbitrary: fc.constant('attacker' as const) }, { weight: 2, arbitrary: fc.constantFrom('victim' as const, 'unknown' as const, 'invalid' as const) }),
      ids: fc.array(
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...(world().ids[route.segments[1]] ?? world().ids.any)) },
          { weight: 2, arbitrary: fc.constantFrom(...world().ids.any) },
          { weight: 1, arbitrary: fc.constantFrom(...world().victim.ids) },
          { weight: 2, arbitrary: fc.constantFrom(...STRINGS) },
          { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
        ),
        { minLength: 3, maxLength: 3 },
      ),
      token: fc.oneof({ weight: 5, arbitrary: fc.constant('personal' as const) }, { weight: 3, arbitrary: fc.constantFrom('app' as const, 'shared' as const) }, { weight: 1, arbitrary: fc.constantFrom('none' as const, 'garbage' as const) }),
      tokenIn: fc.constantFrom('header' as const, 'query' as const, 'bearer' as const),
      transport: fc.oneof({ weight: 6, arbitrary: fc.constant('direct' as const) }, { weight: 2, arbitrary: fc.constant('override' as const) }, { weight: 2, arbitrary: fc.constant('batch' as const) }),
      contentType: fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('', 'text/plain', 'application/json; charset=latin1', 'multipart/form-data; boundary=x') }),
      overrideVerb: fc.oneof({ weight: 4, arbitrary: fc.constant(route.verb) }, { weight: 1, arbitrary: fc.constantFrom('', 'BOGUS', 'GET', 'put', 'PATCH', 'DELETE ') }),
      query: route.source === 'query' || route.source === 'none' ? queryText(keys, numberKeys(route.method)) : fc.constant(''),
      body: route.source === 'body' || route.source === 'update' ? bodyText(route.method, bodyKeys) : fc.constant(''),
    });
  });

/** The cases issue 20 reported, run first every time (fast-check `examples`), then the generated ones. */
function knownCases(w: World): [Request][] {
  const route = (method: string) => ROUTES.find((r) => r.method === method)!;
  const base: Omit<Request, 'route'> = {
    user: 'attacker', ids: [w.ids.streams[0], w.ids.events[0], w.ids.accesses[0]], token: 'personal', tokenIn: 'header',
    transport: 'direct', contentType: 'application/json', overrideVerb: 'POST', query: '', body: '',
  };
  const deep = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
  const cases: Request[] = [
    ...['events.create', 'streams.update', 'accesses.create'].flatMap((m) => ['', 'BOGUS'].map((verb) =>
      ({ ...base, route: route(m), transport: 'override' as const, overrideVerb: verb, body: '' }))),
    { ...base, route: route('events.get'), query: 'skip=1e308' },
    { ...base, route: route('events.get'), transport: 'batch', query: 'skip=1e308' },
    { ...base, route: route('streams.create'), body: `{"name":"deep","clientData":{"a":${deep}}}` },
    { ...base, route: route('streams.create'), body: '{"name":"arr","clientData":[1,2]}' },
    { ...base, route: route('streams.update'), body: '[]' },
    { ...base, route: route('events.update'), ids: [w.ids.events[0], '', ''], body: '[{"content":"x"}]' },
    { ...base, route: route('streams.create'), body: '{"name":"keys","clientData":{"__proto__":{"x":1},"constructor":2,"prototype":3}}' },
    { ...base, route: route('streams.create'), body: '{"name":"keys2","clientData":{"constructor":2,"prototype":3}}' },
    { ...base, route: route('streams.create'), body: '{"name":"a\\ud800b"}' },
  ];
  // And every route once with plain input, so each is exercised whatever the random draw.
  return [...cases, ...ROUTES.map((r) => ({ ...base, route: r }))].map((c) => [c]);
}

/** The HTTP request a generated one stands for. */
function toHttp(r: Request, w: World): { verb: string; url: string; headers: Record<string, string>; body?: string } {
  const username = { attacker: w.attacker.username, victim: w.victim.username, unknown: 'nobody-here-at-all', invalid: 'X' }[r.user];
  let id = 0;
  const path = r.route.segments.map((s) => (s === 'U' ? username : s === ':username' ? username : s.startsWith(':') ? pathSegment(r.ids[id++ % 3]) : s));
  const token = { personal: w.attacker.tokens.personal, app: w.attacker.tokens.app, shared: w.attacker.tokens.shared, none: '', garbage: 'not-a-token' }[r.token];
  const headers: Record<string, string> = {};
  const query = new URLSearchParams(r.query);
  if (token !== '') {
    if (r.tokenIn === 'query') query.append('auth', token);
    else headers.Authorization = r.tokenIn === 'bearer' ? `Bearer ${token}` : token;
  }
  const qs = query.toString();
  const url = `${BASE}/${path.join('/')}${qs ? `?${qs}` : ''}`;
  if (r.transport === 'batch' && r.route.method !== undefined) {
    // The same call as batch params: path ids next to the query's params, or `{id, update}` (§2.8).
    const pathId = r.route.segments.includes(':id') ? str(r.ids[0]) : undefined;
    const params = r.route.source === 'update'
      ? `{"id":${pathId},"update":${r.body || '{}'}}`
      : r.route.source === 'body' ? r.body || '{}' : paramsFromQuery(r.query, pathId);
    headers['Content-Type'] = 'application/json';
    return { verb: 'POST', url: `${BASE}/${username}/`, headers, body: `[{"method":${str(r.route.method)},"params":${params}}]` };
  }
  if (r.transport === 'override') {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams({ _method: r.overrideVerb, _json: r.body });
    if (token !== '') form.set('_auth', token);
    return { verb: 'POST', url, headers, body: form.toString() };
  }
  if (r.body !== '' || r.route.verb === 'POST' || r.route.verb === 'PUT') {
    if (r.contentType !== '') headers['Content-Type'] = r.contentType;
    return { verb: r.route.verb, url, headers, body: r.body };
  }
  return { verb: r.route.verb, url, headers };
}

/** A path segment as sent on the wire; a lone surrogate goes as the (invalid UTF-8) bytes it would encode to. */
const pathSegment = (s: string) => s.split(/([\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/).map((part, i) => (i % 2 === 1 ? '%ED%A0%80' : encodeURIComponent(part))).join('');

/** Query pairs (and the path id) as batch params: JSON values where they parse, else the text. */
function paramsFromQuery(query: string, pathId: string | undefined): string {
  const out: string[] = pathId === undefined ? [] : [`"id":${pathId}`];
  for (const [k, v] of new URLSearchParams(query)) {
    let value = str(v);
    try {
      JSON.parse(v);
      value = v;
    } catch {
      // not JSON: sent as the string it is
    }
    out.push(`${str(k)}:${value}`);
  }
  return `{${out.join(',')}}`;
}

// ---- What must hold ----

const isErrorId = (id: unknown): id is ErrorId => typeof id === 'string' && id in ERROR_STATUS;

function expectEnvelope(body: any, what: string): void {
  expect(body, what).toBeTypeOf('object');
  expect(Object.keys(body).at(-1), what).toBe('meta');
  expect(body.meta, what).toMatchObject({ apiVersion: '2.0.0', serverTime: expect.any(Number), serial: expect.any(String) });
}

function expectError(error: any, status: number | null, what: string): void {
  expect(isErrorId(error?.id), `${what}: ${JSON.stringify(error)}`).toBe(true);
  expect(error.message, what).toBeTypeOf('string');
  if (status !== null && error.id !== 'invalid-access-token') expect(status, what).toBe(ERROR_STATUS[error.id as ErrorId]);
}

/** Fields a successful create or update returns exactly as sent (tags are normalized by the contract). */
const AS_SENT = ['name', 'content', 'description', 'clientData'] as const;

/** A write the server accepted answers with the item holding those fields as sent: no silent transformation. */
function expectAsSent(methodId: string | undefined, paramsText: string, result: any, what: string): void {
  const kind = methodId?.endsWith('.create') ? 'create' : methodId?.endsWith('.update') ? 'update' : null;
  if (kind === null || result?.error) return;
  let sent: any;
  try {
    sent = JSON.parse(paramsText);
  } catch {
    return; // an empty body is `{}`: nothing was sent
  }
  const fields = kind === 'update' ? AS_SENT.filter((f) => f !== 'clientData') : AS_SENT; // clientData updates merge
  const item = Object.values(result).find((v) => typeof v === 'object' && v !== null && 'id' in v) as Record<string, unknown>;
  for (const f of fields) if (sent?.[f] !== undefined && sent[f] !== null) expect(item?.[f], `${what}: ${f}`).toEqual(sent[f]);
}

/** Nesting depth and __proto__ keys of a stored JSON value (walked without recursion). */
function storedJsonProblems(text: string | null, where: string): string[] {
  if (text === null) return [];
  const problems: string[] = [];
  const stack: [unknown, number][] = [[JSON.parse(text), 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > DEPTH) problems.push(`${where}: deeper than ${DEPTH}`);
    if (Object.hasOwn(value, '__proto__')) problems.push(`${where}: __proto__ key`);
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return problems;
}

const utf8Hex = (s: string) => [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
const isObjectText = (text: string | null) => text === null || (text.startsWith('{') && !Array.isArray(JSON.parse(text)));

/** Everything wrong with what the attacker's account holds. */
async function malformedRows(userId: string): Promise<string[]> {
  const problems: string[] = [];
  const all = async (sql: string) => (await (await accountD1ById(userId)).prepare(sql).bind(userId).all<any>()).results;
  const textOk = (value: string, hex: string, where: string) => {
    if (utf8Hex(value) !== hex) problems.push(`${where}: not valid UTF-8 as stored`);
  };
  for (const s of await all('SELECT *, hex(name) AS name_hex FROM streams WHERE user_id = ?')) {
    const where = `stream ${s.id}`;
    if (!/^[a-z0-9-]{1,100}$/.test(s.id)) problems.push(`${where}: id`);
    if (s.name.length < 1 || s.name.length > LIMITS.nameLength) problems.push(`${where}: name length`);
    textOk(s.name, s.name_hex, where);
    if (!isObjectText(s.client_data) || (s.client_data?.length ?? 0) > LIMITS.clientDataBytes) problems.push(`${where}: clientData`);
    problems.push(...storedJsonProblems(s.client_data, where));
  }
  for (const e of await all('SELECT *, hex(type) AS type_hex, hex(coalesce(description, \'\')) AS description_hex FROM events WHERE user_id = ? AND deleted IS NULL')) {
    const where = `event ${e.id}`;
    const streamIds = JSON.parse(e.stream_ids);
    const tags = JSON.parse(e.tags);
    if (!/^(c[a-z0-9-]{24}|[a-z][a-z0-9]{23})$/.test(e.id)) problems.push(`${where}: id`);
    if (!Array.isArray(streamIds) || streamIds.length < 1 || streamIds.length > 100) problems.push(`${where}: streamIds`);
    if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(e.type)) problems.push(`${where}: type`);
    if (!Array.isArray(tags) || tags.some((t: unknown) => typeof t !== 'string' || t.length < 1 || t.length > 500)) problems.push(`${where}: tags`);
    textOk(e.description ?? '', e.description_hex, where);
    if (!isObjectText(e.client_data) || (e.client_data?.length ?? 0) > LIMITS.clientDataBytes) problems.push(`${where}: clientData`);
    if ((e.content?.length ?? 0) > LIMITS.contentBytes || JSON.stringify(e).length > MAX_EVENT_BYTES + 1024) problems.push(`${where}: size`);
    problems.push(...storedJsonProblems(e.content, where), ...storedJsonProblems(e.client_data, where));
  }
  for (const a of await all('SELECT *, hex(name) AS name_hex FROM accesses WHERE user_id = ? AND deleted IS NULL')) {
    const where = `access ${a.id}`;
    if (a.name.length < 1 || a.name.length > LIMITS.nameLength) problems.push(`${where}: name length`);
    textOk(a.name, a.name_hex, where);
    if (!Array.isArray(JSON.parse(a.permissions))) problems.push(`${where}: permissions`);
    if (!isObjectText(a.client_data)) problems.push(`${where}: clientData`);
    problems.push(...storedJsonProblems(a.client_data, where), ...storedJsonProblems(a.permissions, where));
  }
  for (const f of await all('SELECT *, hex(name) AS name_hex FROM followed_slices WHERE user_id = ?')) {
    if (f.name.length < 1 || f.name.length > LIMITS.nameLength) problems.push(`slice ${f.id}: name length`);
    textOk(f.name, f.name_hex, `slice ${f.id}`);
  }
  return problems;
}

/** Every row of an account, in a fixed order, as text: compared byte for byte. */
async function dumpAccount(username: string): Promise<string> {
  const d1 = await accountD1(username);
  const user = await d1.prepare('SELECT * FROM users WHERE username = ?').bind(username).first<{ id: string }>();
  const tables = ['accesses', 'streams', 'stream_deletions', 'events', 'event_streams', 'followed_slices', 'share_links'];
  const dump: Record<string, unknown> = { user };
  for (const table of tables) {
    dump[table] = (await d1.prepare(`SELECT * FROM ${table} WHERE user_id = ? ORDER BY 1, 2, 3`).bind(user!.id).all()).results;
  }
  return JSON.stringify(dump);
}

// ---- The accounts ----

/** Items the runs can read, change and delete (the tokens' own accesses are not among them). */
const SEEDED = 3;

async function seedAccount(prefix: string) {
  const u = await newUser(prefix);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await call(method, `/${u.username}${path}`, { token: u.token, body });
    if (res.status >= 300) throw new Error(`seeding ${path}: ${res.text}`);
    return res.body;
  };
  const streams = ['s1', 's2', 's3'];
  for (const [i, id] of streams.entries()) await api('POST', '/streams', { id, name: id, parentId: i === 0 ? null : 's1', clientData: { a: i } });
  const n = Array.from({ length: SEEDED }, (_, i) => i);
  const events = [];
  for (const i of n) events.push((await api('POST', '/events', { streamIds: ['s1'], type: 'note/txt', content: `e${i}`, tags: ['t'] })).event.id);
  const app = (await api('POST', '/accesses', { type: 'app', name: 'app', permissions: [{ streamId: '*', level: 'manage' }] })).access;
  const shared = (await api('POST', '/accesses', { name: 'shared', permissions: [{ streamId: 's1', level: 'contribute' }] })).access;
  const accesses = [];
  for (const i of n) accesses.push((await api('POST', '/accesses', { name: `spare${i}`, permissions: [{ streamId: 's2', level: 'read' }], clientData: { b: i } })).access.id);
  const slices = [];
  for (const i of n) slices.push((await api('POST', '/followed-slices', { name: `slice${i}`, url: 'https://x.example/u/', accessToken: 'tok' })).followedSlice.id);
  const ids: Ids = { streams, events, accesses, 'followed-slices': slices, any: [...streams, ...events, ...accesses, ...slices] };
  return { ...u, tokens: { personal: u.token, app: app.token, shared: shared.token }, ids };
}

describe('hostile input over every route of the method table (property)', () => {
  let world: World;
  let attackerId: string;
  let victimBefore: string;

  beforeAll(async () => {
    const attacker = await seedAccount('fuzza');
    const victim = await seedAccount('fuzzv');
    world = { attacker, victim: { username: victim.username, ids: victim.ids.any }, ids: attacker.ids };
    attackerId = (await (await accountD1(attacker.username)).prepare('SELECT id FROM users WHERE username = ?').bind(attacker.username).first<{ id: string }>())!.id;
    victimBefore = await dumpAccount(victim.username);
  });

  it('answers below 500 with the error envelope, stores nothing malformed, and leaves the victim byte-identical', async () => {
    expect(ROUTES.length).toBe(USER_ROUTES.length + PUBLIC_ROUTES.length);
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(request(() => world), async (r) => {
        const http = toHttp(r, world);
        const what = `${http.verb} ${http.url.slice(0, 120)} [${r.transport}] ${(http.body ?? '').slice(0, 160)}`;
        const res = await SELF.fetch(http.url, { method: http.verb, headers: http.headers, body: http.body });
        const text = await res.text();
        seen.add(`${r.route.verb} ${r.route.segments.join('/')}`);
        expect(res.status, `${what} → ${text.slice(0, 200)}`).toBeLessThan(500);
        const body = JSON.parse(text);
        expectEnvelope(body, what);
        if (res.status >= 400) expectError(body.error, res.status, what);
        if (r.transport === 'batch' && res.status === 200) {
          for (const result of body.results) if (result.error) expectError(result.error, null, what);
          expectAsSent(r.route.method, r.body || '{}', body.results[0], what);
        } else if (res.status < 300 && r.route.source !== 'none') {
          expectAsSent(r.route.method, r.body, body, what);
        }
        if (r.route.method === 'auth.logout' && r.token === 'personal' && res.status === 200) await relogin(world.attacker);
      }),
      { numRuns: NUM_RUNS, examples: knownCases(world) },
    );
    expect(seen.size, 'routes exercised').toBe(ROUTES.length);
    expect(await malformedRows(attackerId)).toEqual([]);
    expect(await dumpAccount(world.victim.username)).toBe(victimBefore);
    // The attacker's own account still reads back whole.
    for (const path of ['streams?state=all', 'events?state=all&limit=1000', 'accesses', 'followed-slices']) {
      const res = await call('GET', `/${world.attacker.username}/${path}`, { token: world.attacker.tokens.personal });
      expect(res.status, path).toBe(200);
    }
  }, FUZZ_TIMEOUT_MS);
});

/** A logout ended the personal session: log in again so later runs keep a working personal token. */
async function relogin(a: Account): Promise<void> {
  const res = await call('POST', `/${a.username}/auth/login`, {
    body: { username: a.username, password: a.password, appId: 'test-app' },
    headers: { Origin: 'http://localhost' },
  });
  expect(res.status).toBe(200);
  a.tokens.personal = res.body.token;
}
