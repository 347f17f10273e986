import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { appendAuditEntries } from '../src/audit/append';
import { checkEventContent } from '../src/event-types';
import { getDb } from '../src/storage/db';
import { auditEntry, waitForAuditRows } from './audit-fixtures';
import { userRow } from './db-fixtures';
import { call, newUser } from './helpers';
import { accountD1ById } from './db-fixtures';

const q = (streams: unknown) => `streams=${encodeURIComponent(JSON.stringify(streams))}`;

async function events(username: string, token: string, query: string) {
  return call('GET', `/${username}/events?${query}`, { token });
}

async function createAccess(username: string, token: string, body: Record<string, unknown>) {
  const res = await call('POST', `/${username}/accesses`, { token, body });
  if (res.status !== 201) throw new Error(`accesses.create: ${res.status} ${res.text}`);
  return res.body.access as { id: string; token: string };
}

/**
 * An account with a personal token, an app access and a shared access, and audit records of each made
 * straight in the chain: 3 events.get by personal, 2 streams.get by the app (one failed), 1 events.get by
 * the shared access, at increasing times.
 */
async function accountWithAudit() {
  const user = await newUser('aread');
  const { id: userId } = await userRow(user.username);
  const app = await createAccess(user.username, user.token, { type: 'app', name: 'reader-app', permissions: [{ streamId: '*', level: 'read' }] });
  const shared = await createAccess(user.username, user.token, { name: 'reader-shared', permissions: [{ streamId: '*', level: 'read' }] });
  const info = await call('GET', `/${user.username}/access-info`, { token: user.token });
  const personalId = info.body.id as string;
  const t0 = Date.now() / 1000 - 1000;
  const entries = [
    auditEntry(userId, { accessId: personalId, methodId: 'events.get', time: t0 + 1 }),
    auditEntry(userId, { accessId: personalId, methodId: 'events.get', time: t0 + 2 }),
    auditEntry(userId, { accessId: app.id, methodId: 'streams.get', time: t0 + 3 }),
    auditEntry(userId, { accessId: app.id, methodId: 'streams.get', time: t0 + 4, error: { id: 'forbidden', message: 'No.' } }),
    auditEntry(userId, { accessId: shared.id, methodId: 'events.get', time: t0 + 5 }),
    auditEntry(userId, { accessId: personalId, methodId: 'events.get', time: t0 + 6 }),
  ];
  await appendAuditEntries(getDb(await accountD1ById(userId)), userId, entries);
  return { ...user, userId, personalId, app, shared, entries, t0 };
}

const ids = (res: { body: { events: { id: string }[] } }) => res.body.events.map((e) => e.id);
const auditId = (e: { id: string }) => `:_audit:${e.id}`;

describe('reading audit events through events.get (§5.13)', () => {
  it('answers calls recorded through the queue as events with the §5.13 fields, failures as the error type', async () => {
    const { username, token } = await newUser('aread');
    const info = await call('GET', `/${username}/access-info`, { token });
    await call('GET', `/${username}/events?limit=1`, { token });
    await call('GET', `/${username}/events/unknown-event-id`, { token });
    await waitForAuditRows(username, 3);
    const res = await events(username, token, `${q([':_audit:'])}&sortAscending=true`);
    expect(res.status).toBe(200);
    const [first, second, third] = res.body.events;
    expect(second).toEqual({
      id: expect.stringMatching(/^:_audit:[a-z][a-z0-9]{23}$/),
      streamIds: [`:_audit:access-${info.body.id}`, ':_audit:action-events.get'],
      time: expect.any(Number),
      type: 'audit-log/pryv-api',
      content: { source: { name: 'http', ip: '' }, action: 'events.get', query: { limit: '1' } },
      tags: [],
      created: second.time,
      createdBy: 'system',
      modified: second.time,
      modifiedBy: 'system',
    });
    expect(first.content.action).toBe('getAccessInfo');
    // Both shapes are the directory's own `audit-log/pryv-api` types (event-types/pryv/classes/audit-log.json).
    for (const e of res.body.events) expect(checkEventContent(e.type, e.content)).toEqual({ known: true, issues: [] });
    expect(third).toMatchObject({
      type: 'audit-log/pryv-api-error',
      streamIds: [`:_audit:access-${info.body.id}`, ':_audit:action-events.getOne'],
      content: { action: 'events.getOne', query: { id: 'unknown-event-id' }, id: 'unknown-resource', message: expect.any(String) },
    });
  });

  it('never includes audit events in "*" or in the default query, and streams.get does not list audit streams', async () => {
    const a = await accountWithAudit();
    await call('POST', `/${a.username}/streams`, { token: a.token, body: { id: 'diary', name: 'Diary' } });
    const note = await call('POST', `/${a.username}/events`, { token: a.token, body: { streamIds: ['diary'], type: 'note/txt', content: 'x' } });
    expect(ids(await events(a.username, a.token, ''))).toEqual([note.body.event.id]);
    expect(ids(await events(a.username, a.token, q(['*'])))).toEqual([note.body.event.id]);
    const streams = await call('GET', `/${a.username}/streams?state=all`, { token: a.token });
    expect(JSON.stringify(streams.body.streams)).not.toContain(':_audit:');
  });

  it('filters by access, action, groups, all/not, types, time window, order and paging', async () => {
    const a = await accountWithAudit();
    const [e1, e2, e3, e4, e5, e6] = a.entries;
    const get = async (query: string) => ids(await events(a.username, a.token, query));
    expect(await get(q([':_audit:']))).toEqual([e6, e5, e4, e3, e2, e1].map(auditId));
    expect(await get(q([':_audit:accesses']))).toEqual([e6, e5, e4, e3, e2, e1].map(auditId));
    expect(await get(q([`:_audit:access-${a.app.id}`]))).toEqual([e4, e3].map(auditId));
    expect(await get(q([':_audit:action-events.get']))).toEqual([e6, e5, e2, e1].map(auditId));
    expect(await get(q({ any: [':_audit:action-events.get'], not: [`:_audit:access-${a.personalId}`] }))).toEqual([e5].map(auditId));
    expect(await get(q({ any: [':_audit:actions'], all: [`:_audit:access-${a.app.id}`] }))).toEqual([e4, e3].map(auditId));
    expect(await get(q([':_audit:!']))).toEqual([]);
    expect(await get(`${q([':_audit:'])}&types[]=audit-log/pryv-api-error`)).toEqual([e4].map(auditId));
    expect(await get(`${q([':_audit:'])}&types[]=audit-log/*`)).toHaveLength(6);
    expect(await get(`${q([':_audit:'])}&types[]=note/txt`)).toEqual([]);
    expect(await get(`${q([':_audit:'])}&fromTime=${a.t0 + 2}&toTime=${a.t0 + 4}&sortAscending=true`)).toEqual([e2, e3, e4].map(auditId));
    expect(await get(`${q([':_audit:'])}&skip=1&limit=2`)).toEqual([e5, e4].map(auditId));
    expect(await get(`${q([':_audit:'])}&tags[]=x`)).toEqual([]);
    expect(await get(`${q([':_audit:'])}&state=trashed`)).toEqual([]);
    const withDeletions = await events(a.username, a.token, `${q([':_audit:'])}&includeDeletions=true&modifiedSince=${a.t0 + 5}`);
    expect(withDeletions.body).toMatchObject({ events: [{ id: auditId(e6) }], eventDeletions: [] });
  });

  it('refuses to mix audit and account streams (400) and names unknown audit streams (400)', async () => {
    const a = await accountWithAudit();
    const mixed = await events(a.username, a.token, q([':_audit:', '*']));
    expect([mixed.status, mixed.body.error.id]).toEqual([400, 'invalid-request-structure']);
    const unknown = await events(a.username, a.token, q([':_audit:nothing']));
    expect([unknown.status, unknown.body.error.id, unknown.body.error.data]).toEqual([400, 'unknown-referenced-resource', { streams: [':_audit:nothing'] }]);
  });
});

describe('who reads which audit streams (§5.13, §7.8)', () => {
  it('lets an app or shared access read its own access stream only, and refuses anything else with 403', async () => {
    const a = await accountWithAudit();
    const own = await events(a.username, a.shared.token, q([`:_audit:access-${a.shared.id}`]));
    expect(ids(own)).toEqual([auditId(a.entries[4])]);
    const appOwn = await events(a.username, a.app.token, q([`:_audit:access-${a.app.id}`]));
    expect(ids(appOwn)).toEqual([a.entries[3], a.entries[2]].map(auditId));
    for (const streams of [[':_audit:'], [':_audit:accesses'], [':_audit:actions'], [`:_audit:access-${a.personalId}`], [':_audit:action-events.get']]) {
      const res = await events(a.username, a.shared.token, q(streams));
      expect([streams[0], res.status, res.body.error?.id]).toEqual([streams[0], 403, 'forbidden']);
    }
    // `all` is checked like `any`; `not` needs no permission.
    expect((await events(a.username, a.shared.token, q({ any: [`:_audit:access-${a.shared.id}`], all: [':_audit:actions'] }))).status).toBe(403);
    const not = await events(a.username, a.shared.token, q({ any: [`:_audit:access-${a.shared.id}`], not: [':_audit:action-streams.get'] }));
    expect(ids(not)).toEqual([auditId(a.entries[4])]);
  });

  it('lets an access read the audit streams it was granted at read, a group granting its leaves', async () => {
    const a = await accountWithAudit();
    const byAction = await createAccess(a.username, a.token, { name: 'action-auditor', permissions: [{ streamId: ':_audit:action-events.get', level: 'read' }] });
    expect(ids(await events(a.username, byAction.token, q([':_audit:action-events.get'])))).toHaveLength(4);
    expect((await events(a.username, byAction.token, q([':_audit:action-streams.get']))).status).toBe(403);
    const all = await createAccess(a.username, a.token, { name: 'full-auditor', permissions: [{ streamId: ':_audit:', level: 'read' }] });
    expect(ids(await events(a.username, all.token, q([`:_audit:access-${a.app.id}`])))).toHaveLength(2);
    // An audit grant opens nothing of the account's own streams.
    expect((await events(a.username, all.token, q(['*']))).body.events).toEqual([]);
  });

  it('accepts audit grants at read only; an app grants only audit streams it can read itself, its own included', async () => {
    const a = await accountWithAudit();
    const atManage = await call('POST', `/${a.username}/accesses`, { token: a.token, body: { name: 'x', permissions: [{ streamId: ':_audit:', level: 'manage' }] } });
    expect([atManage.status, atManage.body.error.id]).toEqual([400, 'invalid-parameters-format']);
    const unknown = await call('POST', `/${a.username}/accesses`, { token: a.token, body: { name: 'y', permissions: [{ streamId: ':_audit:what', level: 'read' }] } });
    expect([unknown.status, unknown.body.error.id]).toEqual([400, 'unknown-referenced-resource']);
    const beyond = await call('POST', `/${a.username}/accesses`, { token: a.app.token, body: { name: 'z', permissions: [{ streamId: ':_audit:', level: 'read' }] } });
    expect([beyond.status, beyond.body.error.id]).toEqual([403, 'forbidden']);
    const child = await createAccess(a.username, a.app.token, { name: 'app-child', permissions: [{ streamId: `:_audit:access-${a.app.id}`, level: 'read' }] });
    expect(ids(await events(a.username, child.token, q([`:_audit:access-${a.app.id}`])))).toHaveLength(2);
    const update = await call('PUT', `/${a.username}/accesses/${child.id}`, { token: a.app.token, body: { permissions: [{ streamId: ':_audit:actions', level: 'read' }] } });
    expect([update.status, update.body.error.id]).toEqual([400, 'invalid-operation']);
  });

  it('refuses to narrow an app below the audit grants of the shared accesses it created (offendingChildren)', async () => {
    const a = await accountWithAudit();
    const app = await createAccess(a.username, a.token, { type: 'app', name: 'auditing-app', permissions: [{ streamId: '*', level: 'read' }, { streamId: ':_audit:actions', level: 'read' }] });
    const child = await createAccess(a.username, app.token, { name: 'auditing-child', permissions: [{ streamId: ':_audit:action-events.get', level: 'read' }] });
    const narrowed = await call('PUT', `/${a.username}/accesses/${app.id}`, { token: a.token, body: { permissions: [{ streamId: '*', level: 'read' }] } });
    expect([narrowed.status, narrowed.body.error.id, narrowed.body.error.data]).toEqual([400, 'invalid-operation', { offendingChildren: [child.id] }]);
  });

  it('keeps audit events read-only: create, update and delete answer 403', async () => {
    const a = await accountWithAudit();
    const create = await call('POST', `/${a.username}/events`, { token: a.token, body: { streamIds: [':_audit:action-events.get'], type: 'note/txt', content: 'x' } });
    expect([create.status, create.body.error.id]).toEqual([403, 'forbidden']);
    const id = auditId(a.entries[0]);
    const update = await call('PUT', `/${a.username}/events/${encodeURIComponent(id)}`, { token: a.token, body: { content: 'changed' } });
    expect([update.status, update.body.error.id]).toEqual([403, 'forbidden']);
    const del = await call('DELETE', `/${a.username}/events/${encodeURIComponent(id)}`, { token: a.token });
    expect([del.status, del.body.error.id]).toEqual([403, 'forbidden']);
  });
});
