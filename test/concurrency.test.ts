import { and, eq, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { accesses } from '../src/storage/schema';
import { accountDb, userRow } from './db-fixtures';
import { batch, call, newUser, type Reply } from './helpers';

/** Racing requests must leave the data as one of them, or each in turn, would: the database decides. */
const RACERS = 20;

const statuses = (replies: Reply[]) => replies.map((r) => r.status).sort();
const parallel = (n: number, request: (i: number) => Promise<Reply>) => Promise.all(Array.from({ length: n }, (_, i) => request(i)));

describe('invariants under concurrency', () => {
  it(`${RACERS} parallel accesses.create of one (type, name, deviceName): exactly 1 created, the rest 409`, async () => {
    const { username, token } = await newUser('race');
    expect((await call('POST', `/${username}/streams`, { token, body: { id: 's', name: 'S' } })).status).toBe(201);
    const replies = await parallel(RACERS, () =>
      call('POST', `/${username}/accesses`, { token, body: { name: 'same', type: 'app', deviceName: 'phone', permissions: [{ streamId: 's', level: 'read' }] } }),
    );
    expect(statuses(replies)).toEqual([201, ...Array(RACERS - 1).fill(409)]);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.error.id).toBe('item-already-exists');
    const live = (await call('GET', `/${username}/accesses`, { token })).body.accesses.filter((a: { name: string }) => a.name === 'same');
    expect(live).toHaveLength(1);
  });

  it('10 parallel first logins of one app give one personal access, and every caller gets its working token', async () => {
    const { username, password } = await newUser('race');
    const replies = await parallel(10, () =>
      call('POST', `/${username}/auth/login`, {
        body: { username, password, appId: 'racing-app' },
        headers: { Origin: 'http://127.0.0.1:8787' },
      }),
    );
    expect(statuses(replies)).toEqual(Array(10).fill(200));
    const user = await userRow(username);
    const rows = await (await accountDb(username))
      .select()
      .from(accesses)
      .where(and(eq(accesses.userId, user.id), eq(accesses.name, 'racing-app'), isNull(accesses.deleted)));
    expect(rows).toHaveLength(1);
    for (const token of new Set(replies.map((r) => r.body.token as string))) {
      expect((await call('GET', `/${username}/access-info`, { token })).status).toBe(200);
    }
  });

  it(`${RACERS} parallel streams.create of one id: exactly 1 created`, async () => {
    const { username, token } = await newUser('race');
    const replies = await parallel(RACERS, (i) => call('POST', `/${username}/streams`, { token, body: { id: 'one', name: `One ${i}` } }));
    expect(statuses(replies).filter((s) => s === 201)).toHaveLength(1);
    expect(statuses(replies).filter((s) => s !== 201).every((s) => s === 409)).toBe(true);
  });

  it(`${RACERS} parallel events.update merging different clientData keys keep every accepted key`, async () => {
    const { username, token } = await newUser('race');
    const [, created] = await batch(username, token, [
      { method: 'streams.create', params: { id: 's', name: 'S' } },
      { method: 'events.create', params: { streamIds: ['s'], type: 'note/txt', content: 'x' } },
    ]);
    const id = created.event.id;
    const replies = await parallel(RACERS, (i) => call('PUT', `/${username}/events/${id}`, { token, body: { clientData: { [`k${i}`]: i } } }));
    const accepted = replies.filter((r) => r.status === 200).length;
    for (const r of replies.filter((x) => x.status !== 200)) expect(r.body.error.id).toBe('stale-resource');
    const stored = (await call('GET', `/${username}/events/${id}`, { token })).body.event.clientData;
    expect(Object.keys(stored)).toHaveLength(accepted);
    expect(accepted).toBeGreaterThan(0);
  });

  it(`${RACERS} parallel accesses.update of one version: exactly 1 applies, the rest 409 stale-resource (the id they name is superseded)`, async () => {
    const { username, token } = await newUser('race');
    expect((await call('POST', `/${username}/streams`, { token, body: { id: 's', name: 'S' } })).status).toBe(201);
    const created = await call('POST', `/${username}/accesses`, { token, body: { name: 'target', permissions: [{ streamId: 's', level: 'read' }] } });
    const id = created.body.access.id;
    const replies = await parallel(RACERS, (i) => call('PUT', `/${username}/accesses/${id}`, { token, body: { clientData: { [`k${i}`]: i } } }));
    expect(statuses(replies)).toEqual([200, ...Array(RACERS - 1).fill(409)]);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.error).toMatchObject({ id: 'stale-resource', data: { provided: id, currentSerial: 1 } });
    const winner = replies.find((r) => r.status === 200)!.body.access;
    expect(winner.id).toBe(`${id}:1`);
    const listed = (await call('GET', `/${username}/accesses`, { token })).body.accesses.find((a: { name: string }) => a.name === 'target');
    expect(listed).toMatchObject({ id: `${id}:1`, clientData: winner.clientData });
    expect(Object.keys(listed.clientData)).toHaveLength(1);
  });

  it('10 parallel registrations of different usernames with one e-mail: exactly 1 account, the rest 409 {email}', async () => {
    const stamp = Date.now().toString(36);
    const email = `shared-${stamp}@example.org`;
    const replies = await parallel(10, (i) =>
      call('POST', '/reg/users', { body: { appId: 'race-app', username: `mailrace${stamp}${i}`, password: 'secret-password', email } }),
    );
    expect(statuses(replies)).toEqual([201, ...Array(9).fill(409)]);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.error).toMatchObject({ id: 'item-already-exists', data: { email } });
  });

  it(`${RACERS} parallel deletes of a trashed event: only the one that deleted it says so, the rest 404`, async () => {
    const { username, token } = await newUser('race');
    const [, created] = await batch(username, token, [
      { method: 'streams.create', params: { id: 's', name: 'S' } },
      { method: 'events.create', params: { streamIds: ['s'], type: 'note/txt', content: 'x', trashed: true } },
    ]);
    const replies = await parallel(RACERS, () => call('DELETE', `/${username}/events/${created.event.id}`, { token }));
    expect(replies.filter((r) => r.status === 200 && r.body.eventDeletion)).toHaveLength(1);
    expect(statuses(replies).filter((s) => s !== 200).every((s) => s === 404)).toBe(true);
  });
});
