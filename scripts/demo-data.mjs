// What `npm run demo` creates: a small stream tree, a few weeks of typed, tagged events (as one batch of calls)
// and the narrowed shared access. Pure: the same `now` gives the same data (values come from a seeded
// generator), so a demo run can be described and tested.
import { seededRandom as random } from './seeded-random.mjs';

export const DAY = 86_400;
/** Weeks of history the demo account gets. */
export const HISTORY_DAYS = 21;
/** The shared access covers the last two weeks only. */
export const SHARED_DAYS = 14;
/** Events carrying this tag are the ones the coach is meant to see. */
export const SHARED_TAG = 'coach';
const WEIGH_EVERY_DAYS = 3;
const NOTE_EVERY_DAYS = 5;
const SEED = 20_261_129;
const HOUR = 3_600;
const NIGHT_SECONDS = 7.5 * HOUR;

export const STREAMS = [
  { id: 'health', name: 'Health' },
  { id: 'weight', name: 'Weight', parentId: 'health' },
  { id: 'activity', name: 'Activity', parentId: 'health' },
  { id: 'sleep', name: 'Sleep', parentId: 'health' },
  { id: 'diary', name: 'Diary' },
];

const NOTES = [
  'Long walk by the lake, legs tired but happy.',
  'Skipped the run: rain all day.',
  'Slept badly, too much coffee in the afternoon.',
  'Back to the gym after a week off.',
  'Felt much better after the walk.',
];


const round = (x, digits) => Number(x.toFixed(digits));

/** The batch calls that create the streams, then the events, oldest first. */
export function demoCalls(now) {
  const next = random(SEED);
  const calls = STREAMS.map((s) => ({ method: 'streams.create', params: s }));
  const startOfToday = now - (now % DAY);
  let kg = 74.6;
  for (let d = HISTORY_DAYS - 1; d >= 0; d--) {
    const day = startOfToday - d * DAY;
    const weekend = new Date(day * 1000).getUTCDay() % 6 === 0;
    const night = day - 1.5 * HOUR; // 22:30 the evening before
    calls.push({ method: 'events.create', params: { streamIds: ['sleep'], type: 'sleep/quality-5', content: 1 + Math.floor(next() * 5), time: night, duration: NIGHT_SECONDS, tags: ['night'] } });
    const steps = Math.round((weekend ? 11_000 : 6_500) + next() * 5_000);
    calls.push({ method: 'events.create', params: { streamIds: ['activity'], type: 'count/steps', content: steps, time: day + 21 * HOUR, tags: [SHARED_TAG, weekend ? 'weekend' : 'weekday'] } });
    if (d % WEIGH_EVERY_DAYS === 0) {
      kg -= 0.1 + next() * 0.3;
      calls.push({ method: 'events.create', params: { streamIds: ['weight'], type: 'mass/kg', content: round(kg, 1), time: day + 7 * HOUR, tags: [SHARED_TAG, 'morning'] } });
    }
    if (d % NOTE_EVERY_DAYS === 0) {
      calls.push({ method: 'events.create', params: { streamIds: ['diary'], type: 'note/txt', content: NOTES[(d / NOTE_EVERY_DAYS) % NOTES.length], time: day + 20 * HOUR, tags: ['mood'] } });
    }
  }
  // Future times are left out: events.get's default window ends now.
  return calls.filter((c) => c.method !== 'events.create' || c.params.time <= now);
}

/** The shared access: Health and its subtree, only events tagged for the coach, over the last two weeks. */
export function sharedAccess(now) {
  const fromTime = now - SHARED_DAYS * DAY;
  return {
    name: 'Coach: activity and weight, last two weeks',
    type: 'shared',
    permissions: [{ streamId: 'health', level: 'read', tags: [SHARED_TAG], fromTime }],
  };
}
