// The results table and the budget of issue 6, evaluated from the scenario results.

const fmt = (n, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? '–' : Number(n).toFixed(digits));

/**
 * The floor B every ratio uses: the mean of its two measurements (`floorB` right after the server starts,
 * `floorBEnd` after the large scenarios) when both ran, so that a floor measured in a slow or fast moment of the
 * machine does not move every ratio of the run; else the one that ran. Null when none did.
 */
export function floorBReference(results) {
  const ran = results.filter((r) => (r.id === 'floorB' || r.id === 'floorBEnd') && r.status === 'ran');
  if (ran.length === 0) return null;
  const rps = ran.reduce((sum, r) => sum + r.rps, 0) / ran.length;
  const text = ran.length === 1 ? fmt(rps) : `${fmt(rps)}, the mean of ${ran.map((r) => fmt(r.rps)).join(' and ')}`;
  return { rps, text };
}

export function table(results) {
  const floorB = floorBReference(results);
  const rows = [['scenario', 'req/s', 'p50 ms', 'p99 ms', '× floor B', 'D1/req', 'KV/req', 'R2/req', 'non-2xx']];
  for (const r of results) {
    if (r.status !== 'ran') {
      rows.push([r.title, `n/a (${r.reason})`, '', '', '', '', '', '', '']);
      continue;
    }
    const perCall = (n) => (n === null || n === undefined ? '–' : r.calls > 1 ? `${n} (${fmt(n / r.calls, 1)}/call)` : String(n));
    rows.push([
      r.title,
      fmt(r.rps),
      fmt(r.p50, 1),
      fmt(r.p99, 1),
      floorB ? fmt(r.rps / floorB.rps, 2) : '–',
      perCall(r.d1PerRequest),
      perCall(r.kvReadsPerRequest),
      perCall(r.r2PerRequest),
      String(r.non2xx + r.errors),
    ]);
  }
  // n/a rows span the numeric columns, so they do not size them.
  const sized = rows.filter((row) => !row[1].startsWith('n/a'));
  const widths = rows[0].map((_, i) => Math.max(...(i === 0 ? rows : sized).map((row) => row[i].length)));
  return rows
    .map((row, n) => {
      const line = row[1].startsWith('n/a') ? `${row[0].padEnd(widths[0])}  ${row[1]}` : row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
      return n === 0 ? `${line}\n${'-'.repeat(line.length)}` : line;
    })
    .join('\n');
}

/** Issue 18: every events.get shape at 60 % of floor B's req/s, events.create and events.update at 80 %. */
export const SHARE_OF_FLOOR_B = { reads: 0.6, writes: 0.8 };

/** events.update: the event's read, then its guarded rewrite. */
export const UPDATE_ROUND_TRIPS = 2;

/** Issue 18: callBatch targets and the seeding rate (bulk import through callBatch). */
export const BATCH_BUDGET = { d1PerBatch10: 2, batch10ShareOfFloorB: 0.5, d1PerThousandCreates: 2, seedingEventsPerSecond: 5000 };

/**
 * Issue 19, under `--latency` with sessions (docs/scaling.md): a read served near the caller answers within one
 * replica delay plus this margin (the margin covers the Worker's own time and the account object's call, which
 * runs in parallel with the replica's round trip).
 */
export const LATENCY_MARGIN_MS = 20;

/** `d1=80,replica=5` → {d1: 80, replica: 5}. */
const parseLatencySpec = (spec) => Object.fromEntries(spec.split(',').filter(Boolean).map((p) => p.split('=')).map(([k, v]) => [k, Number(v)]));

/**
 * Budget lines: {ok: true|false|null (not measurable), text}. `seeding` is the large seed's summary; `settings`
 * the run's options (the latency simulation adds its own lines and replaces none).
 */
export function budget(results, seeding = null, settings = {}) {
  const by = Object.fromEntries(results.map((r) => [r.id, r]));
  const ran = (id) => by[id]?.status === 'ran';
  const why = (id) => (by[id] ? by[id].reason : 'not run');
  const lines = [];
  const line = (ok, text) => lines.push({ ok, text });

  const floorB = floorBReference(results);
  // Issue 18: every events.get shape at ≥ 60 % of floor B and in 1 D1 round trip.
  const eventsGetShapes = results.filter((r) => r.id.startsWith('eventsGet')).map((r) => r.id);
  // Writes (events.create, events.update): ≥ 80 % of floor B.
  const shares = [
    ...[...new Set(['eventsGetSmall', 'eventsGetLarge', ...eventsGetShapes])].map((id) => [id, SHARE_OF_FLOOR_B.reads]),
    ...['eventsCreate', 'eventsUpdate'].map((id) => [id, SHARE_OF_FLOOR_B.writes]),
  ];
  for (const [id, share] of shares) {
    const pct = share * 100;
    if (!ran(id) || !floorB) line(null, `${by[id]?.title ?? id}: ≥ ${pct} % of floor B req/s — not measurable (${!floorB ? `floor B: ${why('floorB')}` : why(id)})`);
    else {
      const ratio = by[id].rps / floorB.rps;
      line(ratio >= share, `${by[id].title}: ${fmt(ratio * 100)} % of floor B req/s (${fmt(by[id].rps)} vs ${floorB.text}; budget ≥ ${pct} %)`);
    }
  }
  for (const id of [...new Set(['eventsGetSmall', 'eventsGetLarge', ...eventsGetShapes, 'eventsCreate', 'streamsGet'])]) {
    if (!ran(id)) line(null, `${by[id]?.title ?? id}: D1 round trips = 1 — not measurable (${why(id)})`);
    else line(by[id].d1PerRequest === 1, `${by[id].title}: ${by[id].d1PerRequest} D1 round trip(s) per call (budget 1)`);
  }
  // events.update reads the event (its checks need the old one), then rewrites it behind the guard.
  if (!ran('eventsUpdate')) line(null, `events.update: D1 round trips ≤ ${UPDATE_ROUND_TRIPS} — not measurable (${why('eventsUpdate')})`);
  else line(by.eventsUpdate.d1PerRequest <= UPDATE_ROUND_TRIPS, `${by.eventsUpdate.title}: ${by.eventsUpdate.d1PerRequest} D1 round trip(s) per call (budget ≤ ${UPDATE_ROUND_TRIPS}: the read, then the write)`);
  // getAccessInfo does no storage work of its own except the access guard every access method runs (one D1
  // round trip), so a token resolved from the cache costs 1 D1 round trip in all and one resolved from D1 costs
  // 2. A warm isolate serves the cache entry from memory (0 KV reads), a cold one from KV (1 read).
  if (!ran('accessInfo')) line(null, 'token resolution on a cache hit: not measurable');
  else {
    const r = by.accessInfo;
    const ok = r.d1PerRequest <= 1;
    const from = r.kvReadsPerRequest >= 1 ? 'KV' : 'isolate memory';
    line(ok, `token resolution on a cache hit (getAccessInfo, warm): ${r.d1PerRequest} D1 round trip(s) in all, ${r.kvReadsPerRequest} KV read(s), resolved from ${ok ? from : 'D1'} (budget: 0 D1 for the lookup, so D1 ≤ 1 = the method's guard only)`);
  }
  if (!ran('eventsGetSmall') || !ran('eventsGetLarge')) line(null, 'events.get latest-20 p50 at large ≤ 1.3 × at small — not measurable');
  else {
    const small = by.eventsGetSmall.p50;
    const large = by.eventsGetLarge.p50;
    const ratio = large / Math.max(small, 0.001);
    line(ratio <= 1.3, `events.get latest-20 p50: ${fmt(large, 1)} ms at large vs ${fmt(small, 1)} ms at small = ${fmt(ratio, 2)}× (budget ≤ 1.3×)`);
  }
  if (!ran('batch10') || !floorB) line(null, `callBatch of 10: round trips and share of floor B — not measurable (${why('batch10')})`);
  else {
    const r = by.batch10;
    line(r.d1PerRequest <= BATCH_BUDGET.d1PerBatch10, `callBatch of 10 mixed calls: ${r.d1PerRequest} D1 round trip(s) (budget ≤ ${BATCH_BUDGET.d1PerBatch10})`);
    const ratio = r.rps / floorB.rps;
    line(ratio >= BATCH_BUDGET.batch10ShareOfFloorB, `callBatch of 10: ${fmt(ratio * 100)} % of floor B req/s (${fmt(r.rps)} vs ${floorB.text}; budget ≥ ${BATCH_BUDGET.batch10ShareOfFloorB * 100} %)`);
  }
  if (!seeding || !seeding.created) line(null, 'seeding through callBatch: not measurable (no large seed)');
  else {
    if (seeding.d1PerThousand === null) line(null, 'callBatch of 1,000 events.create: D1 round trips not reported');
    else line(seeding.d1PerThousand <= BATCH_BUDGET.d1PerThousandCreates, `callBatch of 1,000 events.create: at most ${seeding.d1PerThousand} D1 round trip(s) (budget ≤ ${BATCH_BUDGET.d1PerThousandCreates})`);
    line(seeding.rate >= BATCH_BUDGET.seedingEventsPerSecond, `seeding: ${fmt(seeding.rate)} events/s through callBatch (budget ≥ ${BATCH_BUDGET.seedingEventsPerSecond})`);
  }
  // Attachments (decision 017): an upload journals in one guarded round trip, then writes the event and claims the
  // files in a second; a 1 MB file is one R2 put. A download is one guarded read and one R2 get.
  for (const [id, d1, r2] of [['attachmentUpload', 2, 1], ['attachmentDownload', 1, 1]]) {
    if (!ran(id)) line(null, `${by[id]?.title ?? id}: D1 = ${d1}, R2 = ${r2} per call — not measurable (${why(id)})`);
    else line(by[id].d1PerRequest === d1 && by[id].r2PerRequest === r2, `${by[id].title}: ${by[id].d1PerRequest} D1 round trip(s), ${by[id].r2PerRequest} R2 operation(s) per call (budget ${d1} and ${r2})`);
  }
  if (settings.latency && settings.sessions !== false) {
    const { replica = 0 } = parseLatencySpec(settings.latency);
    const limit = replica + LATENCY_MARGIN_MS;
    if (!ran('eventsGetSmall')) line(null, `events.get p50 under --latency ≤ replica + ${LATENCY_MARGIN_MS} ms — not measurable (${why('eventsGetSmall')})`);
    else line(by.eventsGetSmall.p50 <= limit, `events.get latest 20 under --latency ${settings.latency}: p50 ${fmt(by.eventsGetSmall.p50, 1)} ms at ${settings.connections} connection(s) (budget ≤ replica ${replica} + ${LATENCY_MARGIN_MS} = ${limit} ms)`);
  }
  const bad = results.filter((r) => r.status === 'ran' && (r.non2xx > 0 || r.errors > 0 || r.sampleInlineErrors));
  line(bad.length === 0, bad.length === 0
    ? 'no 5xx and no error responses in any scenario'
    : `error responses in: ${bad.map((r) => `${r.id} (${r.non2xx} non-2xx, ${r.status5xx} 5xx, ${r.errors} socket errors/timeouts${r.sampleInlineErrors ? `, inline ${[...new Set(r.sampleInlineErrors)].join('/')}` : ''}${r.sampleError ? `, e.g. ${r.sampleError.id ?? ''}` : ''})`).join('; ')}`);
  return lines;
}

export function budgetText(lines) {
  return lines.map((l) => `${l.ok === null ? 'N/A ' : l.ok ? 'PASS' : 'FAIL'}  ${l.text}`).join('\n');
}
