/**
 * Bench-only latency simulation (`npm run bench -- --latency d1=80,replica=5,kv=10,do=10`): a laptop has no
 * replicas and no distance, so the bench binding wrappers wait before each round trip as a caller far from the
 * D1 primary and near a replica would: `d1` ms per primary round trip, `replica` ms per round trip of a session
 * started on a replica (until it writes), `kv` ms per KV read, `do` ms per call to the account's object.
 * Never active outside BENCH mode (src/index.ts). See docs/scaling.md.
 */

/** Milliseconds per round trip, per destination. */
export interface Latency {
  d1: number;
  replica: number;
  kv: number;
  do: number;
}

export const NO_LATENCY: Latency = { d1: 0, replica: 0, kv: 0, do: 0 };

/** Parses `d1=80,replica=5,kv=10` (unknown names or non-numbers: none of it applies, with a warning). */
export function parseLatency(text: string | undefined): Latency {
  if (!text) return NO_LATENCY;
  const out = { ...NO_LATENCY };
  for (const part of text.split(',').filter(Boolean)) {
    const [name, value] = part.split('=');
    const ms = Number(value);
    if (!(name in out) || !Number.isFinite(ms) || ms < 0) {
      console.warn(`BENCH_LATENCY: ignoring "${text}" (expected d1=,replica=,kv=,do= in ms)`);
      return NO_LATENCY;
    }
    out[name as keyof Latency] = ms;
  }
  return out;
}

export const pause = (ms: number): Promise<void> | null => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : null);
