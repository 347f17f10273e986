// After the scenarios: how far the audit queue's consumer got. Every request of the run made under the bench
// account's tokens is an audit record; this polls `GET U/audit/verify` until the stored count stops growing
// (the queue drained), then reports it with the chain check. Builds without audit answer 404/451: n/a.
import { request } from './client.mjs';

const POLL_MS = 1000;
/**
 * Each poll is itself a call, recorded a moment later, and the local queue delivers every ~2 s: a count that
 * grows by at most this much per poll, this many polls in a row, means only our polls are left.
 */
const OWN_GROWTH_PER_POLL = 3;
const QUIET_POLLS = 3;
const DRAIN_TIMEOUT_MS = 120_000;

export async function auditSummary(base, user) {
  const started = Date.now();
  let last = null;
  let quiet = 0;
  for (;;) {
    const res = await request(base, 'GET', `/${user.username}/audit/verify`, { token: user.token });
    if (res.status !== 200) return { available: false };
    const { records, ok, problem } = res.body.verification;
    quiet = last !== null && records - last <= OWN_GROWTH_PER_POLL ? quiet + 1 : 0;
    last = records;
    const drained = quiet >= QUIET_POLLS;
    if (drained || Date.now() - started > DRAIN_TIMEOUT_MS) {
      return { available: true, records, ok, problem: problem ?? null, drainSeconds: Math.round((Date.now() - started) / 1000), drained };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function auditText(a) {
  if (!a.available) return 'audit: n/a (no audit in this build)';
  const chain = a.ok ? 'the chain verifies' : `the chain is BROKEN: ${a.problem?.message}`;
  const drain = a.drained ? `the queue had drained ${a.drainSeconds} s after the last scenario` : 'the queue was still draining at the time limit';
  return `audit: ${a.records} records stored for the bench account (the drain polls included), ${chain}; ${drain}`;
}
