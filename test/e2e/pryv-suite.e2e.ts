// The official `pryv` client's own mocha tests (accesses, account, connection, streams, service and its assets,
// register, e-mail lookup, two-factor sign-in, password reset, app authorization requests) against the Worker under
// `wrangler dev`, as `npm start` runs it. scripts/pryv-suite.mjs does the work in a child Node process (mocha wants
// its own globals); this test asserts its figures.
import { describe, expect, inject, it } from 'vitest';
import { runPryvSuiteProcess } from '../../scripts/pryv-suite.mjs';

describe('the pryv client test suite against a running Worker', () => {
  it('passes every selected test (accesses, account, connection with attachments, streams, service, assets, register, e-mail lookup, MFA, password reset, access requests); nothing is left out', { timeout: 150_000 }, async () => {
    const { code, output, result } = await runPryvSuiteProcess(['--migrated-state', inject('migratedState')]);
    expect(result, output).toBeDefined();
    expect(result!.failures, output).toEqual([]);
    expect(code).toBe(0);
    // The core files really ran (a broken `before` hook would leave them with few or no passes).
    for (const prefix of ['[ACSX] Accesses', '[STRX] Streams', '[CONX] Connection', '[CECX] Connection Edge Cases', '[SERX] Service', '[ASTX] ServiceAssets']) {
      expect(result!.passed.filter((t) => t.startsWith(`${prefix} `)).length, prefix).toBeGreaterThan(5);
    }
    // The account side: every Account test, assets() and the e-mail lookup.
    for (const id of ['[AINA]', '[ASUA]', '[ACPA]', '[ACPB]', '[SERD]', '[UEMA]', '[UEMB]']) {
      expect(result!.passed.filter((t) => t.includes(` ${id} `)), id).toHaveLength(1);
    }
    // The app authorization request flow, all five: start, and poll by URL and by bare key.
    expect(result!.passed.filter((t) => t.startsWith('[ARQX] Service access-request init ')), '[ARQX]').toHaveLength(5);
    // The client's attachment tests (multipart events.create from a file and from a Buffer) run and pass.
    for (const id of ['[CATA]', '[CATB]']) expect(result!.passed.filter((t) => t.includes(id)), id).toHaveLength(1);
    // Two-factor sign-in and password reset against the real routes (bogus tokens are PryvErrors with a status).
    for (const id of ['[MCHB]', '[MVRB]', '[PWRB]', '[PWSB]']) {
      expect(result!.passed.filter((t) => t.includes(` ${id} `)), id).toHaveLength(1);
    }
    expect(result!.passed.length).toBeGreaterThanOrEqual(82);
    expect(result!.excluded).toEqual({});
  });
});
