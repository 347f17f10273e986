import { describe, expect, it } from 'vitest';
import { call } from './helpers';

describe('service info', () => {
  it('answers at /reg/service/info with the fields the pryv client needs', async () => {
    const res = await call('GET', '/reg/service/info');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: expect.any(String),
      version: '2.0.0',
      api: 'http://127.0.0.1:8787/{username}/',
      register: 'http://127.0.0.1:8787/reg/',
      access: 'http://127.0.0.1:8787/reg/access/',
      eventTypes: 'http://127.0.0.1:8787/event-types/flat.json',
      features: { noHF: true, tags: true, permissionNarrowing: true },
    });
    expect(Object.keys(res.body).at(-1)).toBe('meta');
    expect(res.body.meta).toMatchObject({ apiVersion: '2.0.0', serial: expect.any(String), serverTime: expect.any(Number) });
    expect(res.headers.get('API-Version')).toBe('2.0.0');
  });
});
