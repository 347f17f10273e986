// The soak's verdict (issue 20): memory has levelled off when the last 5 minutes grow by less than 5 %.

/** Length of the window judged, in seconds; a shorter soak judges its second half instead. */
export const PLATEAU_WINDOW_S = 300;
/** Largest growth over the window that still counts as a plateau (a fraction of the window's first value). */
export const PLATEAU_MAX_GROWTH = 0.05;

/**
 * Judges `samples` ([{t, ...}] in time order, t in seconds since the load started) on the figure `value(s)`.
 * The window ends at the last sample and starts at the first sample at or after `last.t - window`.
 * Returns {windowS, fromT, toT, from, to, growth, pass}, or null with fewer than two samples in the window.
 */
export function plateau(samples, value, { windowS = PLATEAU_WINDOW_S, maxGrowth = PLATEAU_MAX_GROWTH } = {}) {
  if (samples.length < 2) return null;
  const last = samples[samples.length - 1];
  const span = last.t - samples[0].t;
  const window = Math.min(windowS, span / 2);
  const first = samples.find((s) => s.t >= last.t - window);
  if (!first || first === last) return null;
  const from = value(first);
  const to = value(last);
  const growth = (to - from) / from;
  return { windowS: last.t - first.t, fromT: first.t, toT: last.t, from, to, growth, pass: growth < maxGrowth };
}
