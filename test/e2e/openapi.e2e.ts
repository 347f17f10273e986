// The OpenAPI document as a client sees it, over HTTP from `wrangler dev`: a valid OpenAPI 3.1 document (checked
// by @seriousme/openapi-schema-validator), identical to the committed docs/openapi.json, whose example requests
// validate against their own schemas, and whose result and error shapes match real answers: a scenario calls
// every method, with the documented example requests, and every answer is checked against the document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startDevServer, type DevServer } from '../../scripts/dev-server.mjs';
import { migratedStateDir } from './migrated-state';
import { startReceiver } from '../../scripts/webhook-receiver.mjs';
import { totpAt, TOTP_STEP_SECONDS } from '../../src/auth/totp';
import { asQueryString } from '../example-query';
import { latestMail } from './local-outbox.mjs';
import { readCommittedOpenApi, schemaChecker, validateOpenApi } from './openapi-check.mjs';

type Json = Record<string, any>;

let server: DevServer;
let stateDir: string;
/** Where the scenario's webhook delivers (allowed on loopback for this server). */
let receiver: { url: string; close(): Promise<void> };
let served: Json;
const committed: Json = readCommittedOpenApi();
const check = schemaChecker(committed);

interface Exchange {
  verb: string;
  template: string;
  status: number;
  contentType: string;
  body: unknown;
}
const exchanges: Exchange[] = [];

beforeAll(async () => {
  stateDir = migratedStateDir();
  receiver = await startReceiver();
  server = await startDevServer({ stateDir, migrate: false, vars: { TOKEN_KEY: 'e2e-token-key-not-secret', WEBHOOK_ALLOW_HOSTS: '127.0.0.1' } });
  const res = await fetch(`${server.url}/openapi.json`);
  served = (await res.json()) as Json;
});

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  if (stateDir) removeDir(stateDir);
});

const op = (template: string, verb: string): Json => committed.paths[template]?.[verb.toLowerCase()];
const exampleOf = (template: string, verb: string): any => {
  const o = op(template, verb);
  return o.requestBody?.content?.['application/json']?.example ?? Object.fromEntries((o.parameters ?? []).filter((p: Json) => p.in === 'query' && p.example !== undefined).map((p: Json) => [p.name, p.example]));
};

interface CallOptions {
  values?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

/** One real request to the route `template`; the answer is recorded for the checks below. */
async function exchange(verb: string, template: string, opts: CallOptions = {}): Promise<any> {
  const path = template.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => encodeURIComponent(opts.values?.[name] ?? ''));
  const query = opts.query ? `?${asQueryString(opts.query)}` : '';
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.Authorization = opts.token;
  let body: string | FormData | undefined;
  if (opts.body instanceof FormData) body = opts.body; // multipart: fetch writes the boundary
  else if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(`${server.url}${path}${query}`, { method: verb, headers, body });
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0];
  const text = await res.text();
  const parsed = contentType === 'application/json' ? JSON.parse(text) : text;
  exchanges.push({ verb, template, status: res.status, contentType, body: parsed });
  return parsed;
}

describe('GET /openapi.json over HTTP', () => {
  it('is the committed docs/openapi.json, with the answering server as its server', () => {
    expect(served.servers).toEqual([{ url: server.url, description: 'This server' }]);
    expect({ ...served, servers: committed.servers }).toEqual(committed);
  });

  it('is a valid OpenAPI 3.1 document, by a validator that refuses a broken copy', async () => {
    const result = await validateOpenApi(served);
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ valid: true, version: '3.1' });
    const broken = structuredClone(served);
    broken.paths['/{username}/events'].get.responses = 'none';
    expect((await validateOpenApi(broken)).valid).toBe(false);
  });

  it('has example requests that validate against their own schemas', () => {
    let examples = 0;
    for (const [path, ops] of Object.entries(committed.paths as Json)) {
      for (const [verb, o] of Object.entries(ops as Json)) {
        const media = o.requestBody?.content?.['application/json'];
        if (media?.example !== undefined) {
          expect(check(['paths', path, verb, 'requestBody', 'content', 'application/json', 'schema'], media.example), `${verb} ${path}`).toBeNull();
          examples++;
        }
        for (const [i, p] of (o.parameters ?? []).entries()) {
          if (p.example === undefined) continue;
          expect(check(['paths', path, verb, 'parameters', i, 'schema'], p.example), `${verb} ${path} ${p.name}`).toBeNull();
          examples++;
        }
      }
    }
    expect(examples).toBeGreaterThan(20);
  });
});

describe('real answers against the documented shapes', () => {
  const U = '/{username}';
  let personal = '';
  /** The session opened after the password reset (which ended every earlier one). */
  let relogin: { token: string };
  let shared: { id: string; token: string; shareUrl: string };

  beforeAll(async () => {
    // Register endpoints and service info, with the documented registration example (the state is fresh).
    await exchange('GET', '/reg/service/info');
    await exchange('GET', '/service/info');
    await exchange('GET', '/reg/hostings');
    const registration = exampleOf('/reg/users', 'POST');
    const user = { username: registration.username as string };
    const reg = await exchange('POST', '/reg/users', { body: registration });
    await exchange('POST', '/users', { body: { ...registration, username: 'bob-newcomer', email: 'bob@example.org' } });
    await exchange('POST', '/reg/users', { body: registration }); // 409
    await exchange('GET', '/reg/{username}/check_username', { values: user });
    await exchange('GET', '/reg/{username}/check_username', { values: { username: 'bad_name' } }); // 400
    await exchange('POST', '/reg/{username}/server', { values: user });
    await exchange('POST', '/reg/{username}/server', { values: { username: 'nobody-there' } }); // 404
    await exchange('GET', `${U}/service/info`, { values: user });
    const origin = { Origin: server.url };
    const login = await exchange('POST', `${U}/auth/login`, { values: user, body: exampleOf(`${U}/auth/login`, 'POST'), headers: origin });
    await exchange('POST', `${U}/auth/login`, { values: user, body: { ...exampleOf(`${U}/auth/login`, 'POST'), password: 'wrong-password' }, headers: origin }); // 401
    personal = new URL(reg.apiEndpoint).username;
    const auth = { values: user, token: personal };

    // Streams, events, accesses, followed slices and a batch, each with its documented example.
    await exchange('GET', `${U}/access-info`, auth);
    await exchange('POST', `${U}/streams`, { ...auth, body: exampleOf(`${U}/streams`, 'POST') });
    await exchange('GET', `${U}/streams`, { ...auth, query: exampleOf(`${U}/streams`, 'GET') });
    const streamId = exampleOf(`${U}/streams`, 'POST').id as string;
    await exchange('PUT', `${U}/streams/{id}`, { ...auth, values: { ...user, id: streamId }, body: exampleOf(`${U}/streams/{id}`, 'PUT') });
    const { event } = await exchange('POST', `${U}/events`, { ...auth, body: exampleOf(`${U}/events`, 'POST') });
    const found = await exchange('GET', `${U}/events`, { ...auth, query: exampleOf(`${U}/events`, 'GET') });
    expect(found.events.map((e: Json) => e.id)).toEqual([event.id]);
    const eventAt = { ...auth, values: { ...user, id: event.id } };
    await exchange('GET', `${U}/events/{id}`, { ...eventAt, query: exampleOf(`${U}/events/{id}`, 'GET') });
    await exchange('PUT', `${U}/events/{id}`, { ...eventAt, body: exampleOf(`${U}/events/{id}`, 'PUT') });
    await exchange('POST', `${U}/events/{id}/series`, eventAt); // 451
    // Attachments: a multipart create, a file added, downloads by header, by readToken and by range, a removal.
    const withFile = new FormData();
    withFile.append('event', JSON.stringify({ streamIds: [streamId], type: 'file/attached' }));
    withFile.append('file', new Blob(['hello, file'], { type: 'text/plain' }), 'hello.txt');
    const { event: fileEvent } = await exchange('POST', `${U}/events`, { ...auth, body: withFile });
    const more = new FormData();
    more.append('file', new Blob(['more bytes'], { type: 'application/octet-stream' }), 'more.bin');
    const { event: withTwo } = await exchange('POST', `${U}/events/{id}`, { ...auth, values: { ...user, id: fileEvent.id }, body: more });
    const [file, second] = withTwo.attachments as Json[];
    const fileAt = { ...user, id: fileEvent.id, fileId: file.id, fileName: file.fileName };
    await exchange('GET', `${U}/events/{id}/{fileId}`, { ...auth, values: fileAt });
    await exchange('GET', `${U}/events/{id}/{fileId}/{fileName}`, { values: fileAt, query: { readToken: file.readToken } });
    await exchange('GET', `${U}/events/{id}/{fileId}`, { ...auth, values: fileAt, headers: { Range: 'bytes=0-4' } }); // 206
    await exchange('DELETE', `${U}/events/{id}/{fileId}`, { ...auth, values: { ...user, id: fileEvent.id, fileId: second.id } });
    ({ access: shared } = await exchange('POST', `${U}/accesses`, { ...auth, body: exampleOf(`${U}/accesses`, 'POST') }));
    await exchange('GET', `${U}/accesses`, { ...auth, query: exampleOf(`${U}/accesses`, 'GET') });
    await exchange('GET', `${U}/accesses`, { values: user, token: shared.token }); // 403
    const { access: updated } = await exchange('PUT', `${U}/accesses/{id}`, { ...auth, values: { ...user, id: shared.id }, body: exampleOf(`${U}/accesses/{id}`, 'PUT') });
    await exchange('GET', `${U}/accesses/{id}`, { ...auth, values: { ...user, id: shared.id }, query: exampleOf(`${U}/accesses/{id}`, 'GET') });
    await exchange('POST', `${U}/accesses/check-app`, { ...auth, body: exampleOf(`${U}/accesses/check-app`, 'POST') });
    await exchange('GET', '/s/{code}', { values: { code: new URL(shared.shareUrl).pathname.split('/').pop()! } });
    // Webhooks belong to app and shared accesses: the shared one registers one on the loopback receiver.
    const hookAuth = { values: user, token: shared.token };
    await exchange('POST', `${U}/webhooks`, { ...auth, body: exampleOf(`${U}/webhooks`, 'POST') }); // 403 (personal)
    const { webhook } = await exchange('POST', `${U}/webhooks`, { ...hookAuth, body: { url: `${receiver.url}/hook/openapi` } });
    await exchange('GET', `${U}/webhooks`, hookAuth);
    const hookAt = { ...hookAuth, values: { ...user, id: webhook.id } };
    await exchange('GET', `${U}/webhooks/{id}`, hookAt);
    await exchange('POST', `${U}/webhooks/{id}/test`, hookAt);
    await exchange('PUT', `${U}/webhooks/{id}`, { ...hookAt, body: exampleOf(`${U}/webhooks/{id}`, 'PUT') });
    await exchange('DELETE', `${U}/webhooks/{id}`, hookAt);
    // The audit chain's verification (personal only).
    await exchange('GET', `${U}/audit/verify`, auth);
    await exchange('DELETE', `${U}/accesses/{id}`, { ...auth, values: { ...user, id: shared.id } }); // 409: superseded by the update
    await exchange('DELETE', `${U}/accesses/{id}`, { ...auth, values: { ...user, id: updated.id } });
    await exchange('GET', `${U}/account`, auth);
    await exchange('PUT', `${U}/account`, { ...auth, body: exampleOf(`${U}/account`, 'PUT') });
    for (const set of ['public', 'private', 'app']) {
      await exchange('PUT', `${U}/profile/${set}`, { ...auth, body: exampleOf(`${U}/profile/${set}`, 'PUT') });
      await exchange('GET', `${U}/profile/${set}`, auth);
    }
    const { followedSlice } = await exchange('POST', `${U}/followed-slices`, { ...auth, body: exampleOf(`${U}/followed-slices`, 'POST') });
    await exchange('GET', `${U}/followed-slices`, auth);
    const sliceAt = { ...auth, values: { ...user, id: followedSlice.id } };
    await exchange('PUT', `${U}/followed-slices/{id}`, { ...sliceAt, body: exampleOf(`${U}/followed-slices/{id}`, 'PUT') });
    await exchange('DELETE', `${U}/followed-slices/{id}`, sliceAt);
    await exchange('POST', `${U}/`, { ...auth, body: exampleOf(`${U}/`, 'POST') });
    await exchange('DELETE', `${U}/events/{id}`, eventAt); // trashed
    await exchange('DELETE', `${U}/events/{id}`, eventAt); // deleted
    const streamAt = { ...auth, values: { ...user, id: streamId }, query: exampleOf(`${U}/streams/{id}`, 'DELETE') };
    await exchange('DELETE', `${U}/streams/{id}`, streamAt); // trashed
    await exchange('DELETE', `${U}/streams/{id}`, streamAt); // deleted

    // Refusals from the HTTP frame and the routes that are not available.
    await exchange('GET', `${U}/events`, { values: user }); // 401
    await exchange('GET', `${U}/events`, { values: user, token: 'no-such-token' }); // 403
    await exchange('GET', `${U}/events`, { values: { username: 'nobody-there' }, token: personal }); // 404
    await exchange('POST', `${U}/events`, { ...auth, body: {} }); // 400
    await exchange('POST', `${U}/events`, { ...auth, body: 'text', headers: { 'Content-Type': 'text/plain' } }); // 415
    await exchange('POST', `${U}/events/start`, auth); // 410
    await exchange('GET', '/reg/{email}/uid', { values: { email: registration.email as string } });
    await exchange('GET', '/reg/{email}/check_email', { values: { email: `free-${registration.email as string}` } });
    await exchange('GET', '/reg/{email}/check_email', { values: { email: registration.email as string } }); // 409
    await exchange('GET', '/assets/index.json');

    // Two-factor sign-in: enrol, sign in with a code of the authenticator (computed here), end it with a recovery
    // code; deactivation with the password (nothing left to end).
    const enrol = await exchange('POST', `${U}/mfa/activate`, { ...auth, body: exampleOf(`${U}/mfa/activate`, 'POST') });
    const now = () => Date.now() / 1000;
    const { recoveryCodes } = await exchange('POST', `${U}/mfa/confirm`, { values: user, token: enrol.mfaToken, body: { code: await totpAt(enrol.secret, now()) } });
    await exchange('POST', `${U}/mfa/confirm`, { values: user, token: enrol.mfaToken, body: exampleOf(`${U}/mfa/confirm`, 'POST') }); // 403: spent
    const step = await exchange('POST', `${U}/auth/login`, { values: user, body: exampleOf(`${U}/auth/login`, 'POST'), headers: origin });
    await exchange('POST', `${U}/mfa/challenge`, { values: user, token: step.mfaToken, body: exampleOf(`${U}/mfa/challenge`, 'POST') });
    await exchange('POST', `${U}/mfa/verify`, { values: user, token: step.mfaToken, body: { code: await totpAt(enrol.secret, now() + TOTP_STEP_SECONDS) } });
    const loginExample = exampleOf(`${U}/auth/login`, 'POST');
    const recover = { ...exampleOf(`${U}/mfa/recover`, 'POST'), username: loginExample.username, password: loginExample.password };
    await exchange('POST', `${U}/mfa/recover`, { values: user, body: recover, headers: origin }); // 401: not a code
    await exchange('POST', `${U}/mfa/recover`, { values: user, body: { ...recover, recoveryCode: recoveryCodes[0] }, headers: origin });
    await exchange('POST', `${U}/mfa/deactivate`, { ...auth, body: exampleOf(`${U}/mfa/deactivate`, 'POST') });

    // Password reset: the token comes from the mail in the local outbox; the reset ends every session.
    await exchange('POST', `${U}/account/request-password-reset`, { values: user, body: exampleOf(`${U}/account/request-password-reset`, 'POST'), headers: origin });
    const mail = latestMail(stateDir, registration.email as string);
    const resetToken = /valid for one hour: ([a-z0-9]+)/.exec(mail ?? '')?.[1];
    expect(resetToken, mail ?? 'no mail').toBeDefined();
    const resetExample = exampleOf(`${U}/account/reset-password`, 'POST');
    await exchange('POST', `${U}/account/reset-password`, { values: user, body: resetExample, headers: origin }); // 400: not a token
    await exchange('POST', `${U}/account/reset-password`, { values: user, body: { ...resetExample, resetToken, newPassword: loginExample.password }, headers: origin });
    relogin = await exchange('POST', `${U}/auth/login`, { values: user, body: loginExample, headers: origin });
    personal = relogin.token;
    auth.token = personal;

    await exchange('POST', `${U}/account/change-password`, { ...auth, body: exampleOf(`${U}/account/change-password`, 'POST') });
    // App authorization requests (§5.8): open, poll (201), answer ACCEPTED with an app access named as the app (200),
    // poll again (200); a second request refused (403) and polled (403); an unknown key (404).
    const asked = exampleOf('/reg/access', 'POST');
    const request = await exchange('POST', '/reg/access', { body: asked });
    await exchange('GET', '/reg/access/{key}', { values: { key: request.key } });
    const { access: app } = await exchange('POST', `${U}/accesses`, { ...auth, body: { name: asked.requestingAppId, type: 'app', permissions: [{ streamId: 'diary', defaultName: 'Diary', level: 'contribute' }] } });
    await exchange('POST', '/reg/access/{key}', { values: { key: request.key }, body: { status: 'ACCEPTED', username: user.username, token: app.token } });
    await exchange('GET', '/reg/access/{key}', { values: { key: request.key } });
    const refused = await exchange('POST', '/reg/access', { body: asked });
    await exchange('POST', '/reg/access/{key}', { values: { key: refused.key }, body: exampleOf('/reg/access/{key}', 'POST') }); // 403
    await exchange('GET', '/reg/access/{key}', { values: { key: refused.key } }); // 403
    await exchange('GET', '/reg/access/{key}', { values: { key: 'A'.repeat(32) } }); // 404
    await exchange('GET', '/event-types/flat.json');
    await exchange('GET', '/openapi.json');
    // The reset ended the first login's session: log out the one opened after it.
    expect(login.token).not.toBe(relogin.token);
    await exchange('POST', `${U}/auth/logout`, { values: user, token: relogin.token });
    await exchange('POST', `${U}/auth/logout`, { values: user, token: relogin.token }); // 403
  });

  it('answers every call with a status and a body the document lists for that route', () => {
    const problems: string[] = [];
    for (const x of exchanges) {
      const where = `${x.verb} ${x.template} → ${x.status}`;
      const response = op(x.template, x.verb)?.responses?.[String(x.status)];
      if (!response) {
        problems.push(`${where}: status not documented`);
        continue;
      }
      const documented = Object.keys(response.content ?? {});
      // A download documents `*/*`: the file's own type answers.
      const media = documented.includes('*/*') ? [x.contentType] : documented;
      const key = documented.includes('*/*') ? '*/*' : x.contentType;
      if (!media.includes(x.contentType)) problems.push(`${where}: ${x.contentType} answered, ${media.join(', ') || 'no body'} documented`);
      else if (response.content[key].schema) {
        const errors = check(['paths', x.template, x.verb.toLowerCase(), 'responses', String(x.status), 'content', key, 'schema'], x.body);
        if (errors) problems.push(`${where}: ${JSON.stringify(errors)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('called every documented method with success, and met refusals of each kind', () => {
    const succeeded = new Set(exchanges.filter((x) => x.status < 300).map((x) => op(x.template, x.verb)['x-pryv-method']).filter(Boolean));
    const documented = new Set(Object.values(committed.paths as Json).flatMap((ops) => Object.values(ops as Json).map((o) => o['x-pryv-method'])).filter(Boolean));
    expect([...succeeded].sort()).toEqual([...documented].sort());
    expect([...new Set(exchanges.map((x) => x.status))].sort()).toEqual([200, 201, 206, 400, 401, 403, 404, 409, 410, 415, 451]);
  });
});
