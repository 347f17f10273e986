import { describe, expect, it } from 'vitest';
import { createAccess } from './fixtures/accesses';
import { batch, call, newUser } from './helpers';

/**
 * Visibility is one SQL clause per grant for a few grants, and a JSON-driven clause beyond eight: both must
 * admit exactly the events the permissions allow (§7.4, §7.6).
 */
describe('events.get visibility with few and many narrowed grants', () => {
  async function account(streamCount: number) {
    const user = await newUser('grants');
    const ids = Array.from({ length: streamCount }, (_, i) => `s${i}`);
    const calls = [
      ...ids.map((id) => ({ method: 'streams.create', params: { id, name: id } })),
      ...ids.flatMap((id) => [
        { method: 'events.create', params: { streamIds: [id], type: 'note/txt', content: `${id} tagged`, tags: ['x'] } },
        { method: 'events.create', params: { streamIds: [id], type: 'note/txt', content: `${id} untagged` } },
      ]),
    ];
    const results = await batch(user.username, user.token, calls);
    expect(results.filter((r) => r.error)).toEqual([]);
    return { ...user, ids };
  }

  for (const grants of [3, 12]) {
    it(`a shared access with ${grants} tag-narrowed grants sees exactly the tagged events of those streams`, async () => {
      const { username, ids } = await account(14);
      const granted = ids.slice(0, grants);
      const shared = await createAccess(username, granted.map((streamId) => ({ streamId, level: 'read', tags: ['x'] })));
      const res = await call('GET', `/${username}/events?limit=100`, { token: shared.token });
      expect(res.status).toBe(200);
      const contents = res.body.events.map((e: { content: string }) => e.content).sort();
      expect(contents).toEqual(granted.map((id) => `${id} tagged`).sort());
    });
  }
});
