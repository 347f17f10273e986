// The mocha tests that the `@pryv/socket.io` and `@pryv/monitor` add-ons ship in their npm tarballs, run against
// the Worker under `wrangler dev` by scripts/pryv-suite.mjs --addons (child Node process); this asserts the figures.
import { describe, expect, inject, it } from 'vitest';
import { runPryvSuiteProcess } from '../../scripts/pryv-suite.mjs';

describe('the @pryv/socket.io and @pryv/monitor test suites against a running Worker', () => {
  it('passes every test both add-ons ship, none left out', { timeout: 300_000 }, async () => {
    const { code, output, result } = await runPryvSuiteProcess(['--addons', '--migrated-state', inject('migratedState')]);
    expect(result, output).toBeDefined();
    expect(result!.failures, output).toEqual([]);
    expect(code).toBe(0);
    expect(Object.keys(result!.excluded)).toEqual([]);
    // Both files really ran: the Socket.IO transport and the Monitor over it.
    expect(result!.passed.filter((t) => t.startsWith('[SKIX] Socket.IO ')).length).toBeGreaterThanOrEqual(10);
    expect(result!.passed.filter((t) => t.startsWith('[MSKX] Monitor + Socket.IO ')).length).toBeGreaterThanOrEqual(2);
    expect(result!.passed.length).toBeGreaterThanOrEqual(34);
  });
});
