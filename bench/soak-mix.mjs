// The request mix of the soak (issue 20): 70 % events.get variants, 20 % events.create, 10 % streams.get and
// accesses.get, as one cycle that every connection walks in order; and the floor mixes it is compared with.

/** Requests per cycle; the shares below are counted in it (14 + 4 + 2 = 20). */
export const CYCLE = 20;

const q = (params) => new URLSearchParams(params).toString();

/**
 * The mixes, by name. `ctx` = {user, shared, narrowed}; a missing shared token falls back to the personal one
 * (the request still reads events, only without the visibility filter).
 */
export function soakMix(ctx, name) {
  const u = `/${ctx.user.username}`;
  const personal = ctx.user.token;
  const get = (token, params = []) => ({ method: 'GET', path: `${u}/events${params.length ? `?${q(params)}` : ''}`, token });
  const create = (streamId, type, content, tags) => ({ method: 'POST', path: `${u}/events`, token: personal, body: { streamIds: [streamId], type, content, tags } });
  const now = Math.floor(Date.now() / 1000);
  const mixes = {
    mixed: () => [
      // 14 × events.get
      get(personal),
      get(personal),
      get(personal),
      get(personal, [['streams', JSON.stringify({ any: ['r0', 'r1', 'r2'], not: ['r0-c0'] })], ['types[]', 'mass/kg'], ['types[]', 'note/txt'], ['tags[]', 't1'], ['tags[]', 't2']]),
      get(personal, [['streams[]', 'r3']]),
      get(personal, [['types[]', 'mass/kg'], ['limit', '50']]),
      get(personal, [['fromTime', String(now - 30 * 86_400)], ['toTime', String(now)], ['limit', '100']]),
      get(personal, [['sortAscending', 'true'], ['limit', '10']]),
      get(personal, [['tags[]', 't5']]),
      get(ctx.shared ?? personal),
      get(ctx.shared ?? personal, [['streams[]', 'r1']]),
      get(ctx.narrowed ?? personal),
      get(ctx.narrowed ?? personal, [['limit', '5']]),
      get(personal, [['skip', '20'], ['limit', '20']]),
      // 4 × events.create
      create('r3-c1-g2', 'mass/kg', 72.5, ['t3']),
      create('r4-c0-g1', 'note/txt', 'soak note', []),
      create('r5-c2-g4', 'count/steps', 1200, ['t1', 't7']),
      create('r0-c3-g0', 'mood/rating', 0.5, []),
      // 2 × streams and accesses
      { method: 'GET', path: `${u}/streams`, token: personal },
      { method: 'GET', path: `${u}/accesses`, token: personal },
    ],
    // Floor A: no storage and none of the Worker's caches; floor B: one trivial D1 query and nothing else.
    floorA: () => Array.from({ length: CYCLE }, () => ({ method: 'GET', path: '/reg/service/info' })),
    floorB: () => Array.from({ length: CYCLE }, () => ({ method: 'GET', path: '/bench/d1' })),
  };
  if (!mixes[name]) throw new Error(`unknown soak mix ${name} (one of ${Object.keys(mixes).join(', ')})`);
  return mixes[name]();
}

/** The mix as autocannon `requests` (each with its own headers and JSON body). */
export function autocannonRequests(mix) {
  return mix.map((r) => ({
    method: r.method,
    path: r.path,
    headers: { ...(r.token ? { authorization: r.token } : {}), ...(r.body ? { 'content-type': 'application/json' } : {}) },
    body: r.body === undefined ? undefined : JSON.stringify(r.body),
  }));
}
