import { describe, expect, it } from 'vitest';
import { coalescingSender, SEND_AT_ONCE_ENTRIES } from '../src/calls/audit-sink';
import type { AuditEntry } from '../src/core/audit';
import { auditEntry } from './audit-fixtures';

const DELAY_MS = 30;

/** A sender that keeps what it was asked to send, and the requests' pending work. */
function recorder() {
  const sends: AuditEntry[][] = [];
  const pending: Promise<unknown>[] = [];
  const enqueue = coalescingSender(async (entries) => void sends.push(entries), DELAY_MS);
  return { sends, enqueue: (entries: AuditEntry[]) => enqueue(entries, (p) => pending.push(p)), settled: () => Promise.all(pending) };
}

describe('audit records of concurrent requests share one queue send (decision 030)', () => {
  it('sends the records of requests ending within the wait together, in the order they ended', async () => {
    const { sends, enqueue, settled } = recorder();
    const first = [auditEntry('u1'), auditEntry('u1')];
    const second = [auditEntry('u2')];
    enqueue(first);
    enqueue(second);
    expect(sends).toEqual([]); // nothing is sent before the wait is over
    await settled();
    expect(sends).toEqual([[...first, ...second]]);
  });

  it('sends records that come after a send in a send of their own', async () => {
    const { sends, enqueue, settled } = recorder();
    const early = [auditEntry('u1')];
    const late = [auditEntry('u1')];
    enqueue(early);
    await settled();
    enqueue(late);
    await settled();
    expect(sends).toEqual([early, late]);
  });

  it("sends a large request's records at once, with whatever was waiting", async () => {
    const { sends, enqueue } = recorder();
    const waiting = [auditEntry('u1')];
    const large = Array.from({ length: SEND_AT_ONCE_ENTRIES }, () => auditEntry('u2'));
    enqueue(waiting);
    enqueue(large);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sends).toEqual([[...waiting, ...large]]);
  });
});
