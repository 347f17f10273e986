// The test account the `pryv` client's own mocha suite expects (`node_modules/pryv/test/*.test.js` reach this file
// as `require('../../../test/test-data')`, or through the `testData` global that scripts/pryv-suite.mjs sets).
// A synchronous ES module, so Node 22's require(esm) hands the tests this namespace; `token`, `apiEndpoint`,
// `apiEndpointWithToken` and `serviceInfo` are live bindings filled in by `prepare()`.
// The server comes from PRYV_SERVICE_INFO_URL (the runner sets it), default: `npm start` on port 8787.

export const serviceInfoUrl = process.env.PRYV_SERVICE_INFO_URL ?? 'http://127.0.0.1:8787/reg/service/info';
export const username = process.env.PRYV_TEST_USERNAME ?? 'jslibtest';
export const password = process.env.PRYV_TEST_PASSWORD ?? 'jslibtest-password';
const appId = 'jslib-test';
// Service.userIdForEmail.test.js looks the account up by this address.
const email = `${username}@pryv.io`;
// The streams the suite writes to or names in queries: `data` (events, shared accesses) and `monitor-test`
// (named in `streams` filters next to `data`; an unknown stream there would be a 400).
const fixtureStreams = [
  { id: 'data', name: 'Data' },
  { id: 'monitor-test', name: 'Monitor test' },
];

export let serviceInfo = null;
export let token = null;
export let apiEndpoint = null;
export let apiEndpointWithToken = null;

let preparing = null;

/** Registers the test user if needed, logs in as a trusted app and creates the fixture streams; once per process. */
export function prepare() {
  preparing ??= doPrepare().catch((e) => {
    preparing = null;
    throw e;
  });
  return preparing;
}

async function doPrepare() {
  const info = await json(await fetch(serviceInfoUrl));
  if (typeof info.api !== 'string' || typeof info.register !== 'string') throw new Error(`invalid service info: ${JSON.stringify(info)}`);

  const check = await json(await fetch(`${info.register}${username}/check_username`));
  if (!check.reserved) {
    const res = await fetch(`${info.register}users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ appId, username, password, email, hosting: 'auto', language: 'en' }),
    });
    if (res.status !== 201) throw new Error(`registration failed (${res.status}): ${await res.text()}`);
  }

  const endpoint = info.api.replace('{username}', username);
  // The register URL is the Origin the client itself sends; it matches the default trusted-app pattern.
  const login = await fetch(`${endpoint}auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: info.register },
    body: JSON.stringify({ username, password, appId }),
  });
  const { token: personalToken } = await json(login);
  if (!personalToken) throw new Error(`login failed (${login.status})`);

  // An account registered by an older copy of this file has another address: set it (account.update).
  const calls = [{ method: 'account.update', params: { update: { email } } }, ...fixtureStreams.map((params) => ({ method: 'streams.create', params }))];
  const created = await json(
    await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: personalToken },
      body: JSON.stringify(calls),
    }),
  );
  for (const r of created.results ?? []) {
    if (r.error && r.error.id !== 'item-already-exists') throw new Error(`fixture: ${JSON.stringify(r.error)}`);
  }

  serviceInfo = info;
  token = personalToken;
  apiEndpoint = endpoint;
  const [protocol, rest] = endpoint.split('://');
  apiEndpointWithToken = `${protocol}://${personalToken}@${rest}`;
}

async function json(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`non-JSON answer (${res.status}): ${text.slice(0, 200)}`);
  }
}
