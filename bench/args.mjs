// Command-line flags of `npm run bench` (see docs/performance.md).
const HELP = `npm run bench -- [flags]
  --quick                 small data and 2 s per scenario (finishes in under a minute)
  --connections N         concurrent connections per scenario (default 10)
  --duration S            seconds per scenario round (default 10; --quick: 2)
  --rounds N              rounds per scenario; medians are reported (default 1)
  --events N              events seeded before the large-data scenarios (default 100000; --quick: 1000)
  --small-events N        events seeded before the small-data scenarios (default 1000; --quick: 100)
  --seed-concurrency N    batch requests in flight while seeding (default 4)
  --only a,b              run only the scenarios whose id contains one of these words
  --realtime              run only the real-time measurements (no seeding, no HTTP scenarios)
  --no-realtime           skip the real-time measurements (HTTP scenarios only)
  --realtime-sockets N    sockets per kind for the notice latency (default 100)
  --realtime-writes N     HTTP writes timed per kind (default 50; --quick: 20)
  --idle-sockets N        idle sockets per kind for the idle cost (default 1000; --quick: 200)
  --idle-seconds S        how long the idle sockets are held (default 60; --quick: 10)
  --out FILE              results file (default bench/results/latest.json)
  --keep-state            keep the temporary wrangler state folder
  --timeout S             hard limit for the whole run (default: computed from the settings)
  --soak S                instead of the scenarios: S seconds of the mixed load, memory every --sample seconds
  --soak-mix NAME         mixed (default: 70 % events.get, 20 % events.create, 10 % streams/accesses),
                          floorA or floorB (the floors only, to compare the runtime's own memory)
  --sample S              seconds between memory samples of a soak (default 30)
  --latency SPEC          simulated round-trip delays in ms, e.g. d1=80,replica=5,kv=10,do=10 (D1 primary, D1
                          replica, KV read, account object; docs/scaling.md); skips the real-time runs
  --no-sessions           every D1 session starts on the primary (read replication off), to compare`;

/** Events seeded before a soak unless --events says otherwise (about 30 s of seeding). */
export const SOAK_EVENTS = 10_000;

export function parseArgs(argv) {
  const flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}\n${HELP}`);
    const [key, inline] = a.slice(2).split('=', 2);
    if (['quick', 'keep-state', 'help', 'realtime', 'no-realtime', 'no-sessions'].includes(key)) flags.set(key, true);
    else flags.set(key, inline ?? argv[++i]);
  }
  if (flags.get('help')) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = flags.get('quick') === true;
  const num = (key, fallback) => {
    if (!flags.has(key)) return fallback;
    const n = Number(flags.get(key));
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${key} needs a number ≥ 0\n${HELP}`);
    return n;
  };
  const known = new Set(['quick', 'keep-state', 'help', 'realtime', 'no-realtime', 'realtime-sockets', 'realtime-writes', 'idle-sockets', 'idle-seconds', 'connections', 'duration', 'rounds', 'events', 'small-events', 'seed-concurrency', 'only', 'out', 'timeout', 'soak', 'soak-mix', 'sample', 'latency', 'no-sessions']);
  for (const key of flags.keys()) if (!known.has(key)) throw new Error(`unknown flag --${key}\n${HELP}`);
  const opts = {
    quick,
    connections: Math.max(1, num('connections', 10)),
    duration: Math.max(1, num('duration', quick ? 2 : 10)),
    rounds: Math.max(1, Math.floor(num('rounds', 1))),
    events: Math.floor(num('events', quick ? 1000 : 100_000)),
    smallEvents: Math.floor(num('small-events', quick ? 100 : 1000)),
    seedConcurrency: Math.max(1, Math.floor(num('seed-concurrency', 4))),
    only: flags.has('only') ? String(flags.get('only')).split(',').filter(Boolean) : null,
    out: flags.get('out') ?? null,
    keepState: flags.get('keep-state') === true,
    timeout: flags.has('timeout') ? num('timeout', 0) : null,
    realtimeOnly: flags.get('realtime') === true,
    skipRealtime: flags.get('no-realtime') === true,
    realtimeSockets: Math.max(1, Math.floor(num('realtime-sockets', 100))),
    realtimeWrites: Math.max(1, Math.floor(num('realtime-writes', quick ? 20 : 50))),
    idleSockets: Math.max(1, Math.floor(num('idle-sockets', quick ? 200 : 1000))),
    idleSeconds: Math.max(1, num('idle-seconds', quick ? 10 : 60)),
    soak: flags.has('soak') ? Math.max(1, num('soak', 0)) : null,
    soakMix: String(flags.get('soak-mix') ?? 'mixed'),
    sample: Math.max(1, num('sample', 30)),
    latency: flags.has('latency') ? String(flags.get('latency')) : null,
    sessions: flags.get('no-sessions') !== true,
  };
  if (opts.latency !== null && !/^(?:(?:d1|replica|kv|do)=\d+(?:\.\d+)?,?)+$/.test(opts.latency)) {
    throw new Error(`--latency takes name=ms pairs among d1, replica, kv, do (e.g. d1=80,replica=5,kv=10)\n${HELP}`);
  }
  if (opts.soak && !flags.has('events')) opts.events = SOAK_EVENTS;
  if (!['mixed', 'floorA', 'floorB'].includes(opts.soakMix)) throw new Error(`--soak-mix is mixed, floorA or floorB\n${HELP}`);
  if (opts.events < opts.smallEvents) opts.events = opts.smallEvents;
  return opts;
}
