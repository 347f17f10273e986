// Runs one scenario: a warm-up and a sample request (status, storage counts), then autocannon rounds.
import autocannon from 'autocannon';
import { UNAVAILABLE_IDS, request } from './client.mjs';

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function runAutocannon(opts) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (error, result) => (error ? reject(error) : resolve(result)));
    // A hard stop a little after the planned duration keeps every round bounded even if the server hangs.
    const guard = setTimeout(() => instance.stop(), (opts.duration + 15) * 1000);
    instance.on('done', () => clearTimeout(guard));
  });
}

/** An autocannon request hook sending each request to the next of `paths`. */
function rotating(paths) {
  let next = 0;
  return (req) => ({ ...req, path: paths[next++ % paths.length] });
}

/** Why a scenario cannot run on this build, or null. */
function unavailability(scenario, sample) {
  if (scenario.needs && !scenario.token) return `${scenario.needs} not available`;
  if (!sample) return null;
  if (sample.status === 451 || sample.status === 404) return `method not available (${sample.body?.error?.id ?? sample.status})`;
  const results = sample.body?.results;
  if (Array.isArray(results) && results.length > 0 && results.every((r) => r?.error && UNAVAILABLE_IDS.has(r.error.id))) {
    return `method not available (${results[0].error.id})`;
  }
  return null;
}

export async function runScenario(base, scenario, opts, onRound) {
  const out = { id: scenario.id, title: scenario.title, calls: scenario.calls ?? 1 };
  const skip = unavailability(scenario, null);
  if (skip) return { ...out, status: 'n/a', reason: skip };
  const send = () => request(base, scenario.method, scenario.path, { token: scenario.token, body: scenario.body, raw: scenario.raw });
  await send(); // warm-up: caches, isolate, JIT
  const sample = await send();
  const reason = unavailability(scenario, sample);
  if (reason) return { ...out, status: 'n/a', reason };
  const inline = Array.isArray(sample.body?.results) ? sample.body.results.filter((r) => r?.error).map((r) => r.error.id) : [];
  Object.assign(out, {
    sampleStatus: sample.status,
    sampleError: sample.status >= 400 ? sample.body?.error ?? sample.text.slice(0, 200) : undefined,
    sampleInlineErrors: inline.length ? inline : undefined,
    d1PerRequest: sample.d1,
    kvReadsPerRequest: sample.kvReads,
    r2PerRequest: sample.r2,
  });
  const headers = {
    ...(scenario.token ? { authorization: scenario.token } : {}),
    ...(scenario.body ? { 'content-type': 'application/json' } : {}),
    ...(scenario.raw ? { 'content-type': scenario.raw.contentType } : {}),
  };
  const rounds = [];
  for (let i = 0; i < opts.rounds; i++) {
    onRound?.(i);
    const r = await runAutocannon({
      url: `${base}${scenario.path}`,
      method: scenario.method,
      headers,
      body: scenario.raw ? scenario.raw.bytes : scenario.body === undefined ? undefined : JSON.stringify(scenario.body),
      ...(scenario.paths ? { requests: [{ setupRequest: rotating(scenario.paths) }] } : {}),
      connections: opts.connections,
      duration: opts.duration,
      timeout: 10,
    });
    rounds.push({
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      requests: r.requests.total,
      non2xx: r.non2xx,
      status5xx: r['5xx'],
      errors: r.errors,
      timeouts: r.timeouts,
    });
  }
  return {
    ...out,
    status: 'ran',
    rps: median(rounds.map((r) => r.rps)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    non2xx: rounds.reduce((s, r) => s + r.non2xx, 0),
    status5xx: rounds.reduce((s, r) => s + r.status5xx, 0),
    errors: rounds.reduce((s, r) => s + r.errors + r.timeouts, 0),
    rounds,
  };
}
