// Who may download (§2.2, §5.5): the Authorization header or a readToken, never ?auth=; a read token is bound to
// its access, its account and its file, and stops working the moment the access is deleted or stops seeing the
// event, even while the access sits in the KV and isolate caches.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCachedAccess } from '../src/auth/access-cache';
import { onAuditRecord } from '../src/calls/hooks';
import type { AuditRecord } from '../src/core/audit';
import { accessRow, userRow } from './access-fixtures';
import { bytesOf, download, formData, postMultipart } from './attachment-fixtures';
import { call, newUser } from './helpers';
import { recordHook } from './hook-recorder';

let username: string;
let token: string;
const u = () => `/${username}`;

beforeAll(async () => {
  ({ username, token } = await newUser('rtok'));
  for (const id of ['shared', 'private']) await call('POST', `${u()}/streams`, { token, body: { id, name: id } });
});

async function eventWithTwoFiles(streamId = 'shared') {
  const res = await postMultipart(`${u()}/events`, token, formData({ streamIds: [streamId], type: 'file/attached' }, [
    { fileName: 'one.txt', type: 'text/plain', bytes: bytesOf('one') },
    { fileName: 'two.txt', type: 'text/plain', bytes: bytesOf('two') },
  ]));
  expect(res.status, res.text).toBe(201);
  return res.body.event;
}

/** A shared access reading `streamId`, created through the API, and the event as that access sees it. */
async function sharedReader(eventId: string, streamId = 'shared') {
  const created = await call('POST', `${u()}/accesses`, { token, body: { name: `reader-${Math.random()}`, permissions: [{ streamId, level: 'read' }] } });
  const access = created.body.access;
  const seen = await call('GET', `${u()}/events/${eventId}`, { token: access.token });
  return { access, event: seen.body.event };
}

const fileUrl = (e: any, i = 0) => `${u()}/events/${e.id}/${e.attachments[i].id}`;

describe('download credentials', () => {
  it('accepts the Authorization header or a readToken; the header wins over a bad readToken', async () => {
    const e = await eventWithTwoFiles();
    expect((await download(fileUrl(e), { Authorization: token })).status).toBe(200);
    expect((await download(`${fileUrl(e)}?readToken=${e.attachments[0].readToken}`)).status).toBe(200);
    expect((await download(`${fileUrl(e)}?readToken=bad-token`, { Authorization: token })).status).toBe(200);
  });

  it('refuses ?auth= with 401, even with a valid token', async () => {
    const e = await eventWithTwoFiles();
    const res = await download(`${fileUrl(e)}?auth=${token}`);
    expect(res.status).toBe(401);
    expect((await res.json<any>()).error.id).toBe('invalid-access-token');
  });

  it('answers 401 without any credential, and for a malformed, forged or misdirected readToken', async () => {
    const e = await eventWithTwoFiles();
    const [one, two] = e.attachments;
    const forged = `${one.readToken.split('-')[0]}-${'A'.repeat(43)}`;
    for (const query of ['', '?readToken=', '?readToken=nodash', `?readToken=${forged}`, `?readToken=${two.readToken}`]) {
      const res = await download(`${fileUrl(e)}${query}`);
      expect(res.status, query).toBe(401);
    }
    // Another account's URL with this account's read token: bound to the account too.
    const other = await newUser('rtok');
    const res = await download(`/${other.username}/events/${e.id}/${one.id}?readToken=${one.readToken}`);
    expect(res.status).toBe(401);
  });

  it('answers 404 for an unknown event or file, 403 for an event the access does not see', async () => {
    const e = await eventWithTwoFiles('private');
    expect((await download(`${u()}/events/cunknownunknownunknown0000/${e.attachments[0].id}`, { Authorization: token })).status).toBe(404);
    expect((await download(`${u()}/events/${e.id}/nosuchfile`, { Authorization: token })).status).toBe(404);
    const created = await call('POST', `${u()}/accesses`, { token, body: { name: 'other-stream', permissions: [{ streamId: 'shared', level: 'read' }] } });
    expect((await download(fileUrl(e), { Authorization: created.body.access.token })).status).toBe(403);
  });

  it('takes readToken on downloads only: elsewhere it is an unknown parameter (400)', async () => {
    const e = await eventWithTwoFiles();
    const rt = e.attachments[0].readToken;
    expect((await call('GET', `${u()}/events?readToken=${rt}`, { token })).status).toBe(400);
    expect((await call('GET', `${u()}/events/${e.id}?readToken=${rt}`)).status).toBe(401);
    expect((await call('DELETE', `${u()}/events/${e.id}/${e.attachments[0].id}?readToken=${rt}`)).status).toBe(401);
  });
});

describe('a read token dies with its access', () => {
  it('stops working as soon as the access is deleted', async () => {
    const e = await eventWithTwoFiles();
    const { access, event } = await sharedReader(e.id);
    const url = `${fileUrl(event)}?readToken=${event.attachments[0].readToken}`;
    expect((await download(url)).status).toBe(200);
    await call('DELETE', `${u()}/accesses/${access.id}`, { token });
    const res = await download(url);
    expect(res.status).toBe(403);
    expect((await res.json<any>()).error.id).toBe('invalid-access-token');
  });

  it('stops working when the access loses sight of the event: narrowed permissions, or the event moved away', async () => {
    const e = await eventWithTwoFiles();
    const { access, event } = await sharedReader(e.id);
    const url = `${fileUrl(event)}?readToken=${event.attachments[0].readToken}`;
    await call('PUT', `${u()}/accesses/${access.id}`, { token, body: { permissions: [{ streamId: 'shared', level: 'read', tags: ['only-this'] }] } });
    expect((await download(url)).status).toBe(403);

    const e2 = await eventWithTwoFiles();
    const reader2 = await sharedReader(e2.id);
    const url2 = `${fileUrl(reader2.event)}?readToken=${reader2.event.attachments[0].readToken}`;
    expect((await download(url2)).status).toBe(200);
    await call('PUT', `${u()}/events/${e2.id}`, { token, body: { streamIds: ['private'] } });
    expect((await download(url2)).status).toBe(403);
  });

  it('refuses a deleted access whose row the KV and isolate caches still hold, by header and by read token', async () => {
    const e = await eventWithTwoFiles();
    const { access, event } = await sharedReader(e.id);
    const live = await accessRow(access.id);
    const user = await userRow(username);
    await call('DELETE', `${u()}/accesses/${access.id}`, { token });
    // What another location may still hold: the access as it was before the deletion.
    await writeCachedAccess(env, username, access.token, user, live);
    expect((await download(fileUrl(event), { Authorization: access.token })).status).toBe(403);
    expect((await download(`${fileUrl(event)}?readToken=${event.attachments[0].readToken}`)).status).toBe(403);
  });
});

describe('audit of downloads', () => {
  const audit = recordHook<AuditRecord>(onAuditRecord);

  it('records a download under the access the read token names, without the read token', async () => {
    const e = await eventWithTwoFiles();
    const { access, event } = await sharedReader(e.id);
    audit.items = [];
    const rt = event.attachments[0].readToken;
    expect((await download(`${fileUrl(event)}?readToken=${rt}`)).status).toBe(200);
    const mine = audit.items.filter((r) => r.username === username);
    expect(mine).toEqual([expect.objectContaining({ methodId: 'events.getAttachment', accessId: access.id })]);
    expect(JSON.stringify(mine)).not.toContain(rt.split('-')[1]);
  });
});
