// The official `pryv` client's own mocha tests (accesses, connection, streams, register) against the Worker under
// `wrangler dev`, as `npm start` runs it. scripts/pryv-suite.mjs does the work in a child Node process (mocha wants
// its own globals); this test asserts its figures.
import { describe, expect, it } from 'vitest';
import { runPryvSuiteProcess } from '../../scripts/pryv-suite.mjs';

describe('the pryv client test suite against a running Worker', () => {
  it('passes every selected accesses, connection (attachments included), streams and register (user, hostings) test; only a browser-only test is left out', { timeout: 150_000 }, async () => {
    const { code, output, result } = await runPryvSuiteProcess();
    expect(result, output).toBeDefined();
    expect(result!.failures, output).toEqual([]);
    expect(code).toBe(0);
    // The core files really ran (a broken `before` hook would leave them with few or no passes).
    for (const prefix of ['[ACSX] Accesses', '[STRX] Streams', '[CONX] Connection', '[CECX] Connection Edge Cases']) {
      expect(result!.passed.filter((t) => t.startsWith(`${prefix} `)).length, prefix).toBeGreaterThan(5);
    }
    expect(result!.passed.length).toBeGreaterThanOrEqual(50);
    // The client's attachment tests (multipart events.create from a file and from a Buffer) run and pass.
    for (const id of ['[CATA]', '[CATB]']) expect(result!.passed.filter((t) => t.includes(id)), id).toHaveLength(1);
    // Exclusions are few and each names its reason.
    expect(Object.keys(result!.excluded).length).toBeLessThanOrEqual(1);
    for (const reason of Object.values(result!.excluded)) expect(reason).toMatch(/jsdom/);
  });
});
