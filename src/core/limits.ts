/**
 * Input limits: operator settings with defaults (read in `src/config.ts`, listed in docs/limits.md, decision
 * 012), and the valibot actions whose bound is the limit in force when a schema runs.
 */
import * as v from 'valibot';

export interface Limits {
  /** Deepest nesting of one JSON document: a body, a `_json` form field, a JSON-valued query param. */
  jsonDepth: number;
  /** `clientData` of events, streams and accesses, serialized as stored (UTF-8 bytes). */
  clientDataBytes: number;
  /** Event `content`, serialized as stored (UTF-8 bytes). */
  contentBytes: number;
  /** Names of streams, accesses and followed slices, and `deviceName` (characters). */
  nameLength: number;
  /** Any id a client sends: path ids, `streamIds`, `parentId`, permission stream ids, custom tokens (characters). */
  idLength: number;
  /** Calls in one `callBatch`. */
  batchCalls: number;
  /** `events.get` `skip`. */
  skip: number;
  /** `events.get` `limit`. */
  limit: number;
}

/** Stream names and access names are 1–500 characters (§10). */
const SPEC_NAME_LENGTH = 500;
/** At most 1,000 calls per batch (§2.12). */
const SPEC_BATCH_CALLS = 1000;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  jsonDepth: 64,
  clientDataBytes: 64 * 1024,
  // The whole event is capped at 1 MiB serialized (§10); content alone may use all of it by default.
  contentBytes: 1024 * 1024,
  nameLength: SPEC_NAME_LENGTH,
  // Stored ids are at most 100 characters (§10); given stream ids are slugified first, so leave room.
  idLength: 256,
  batchCalls: SPEC_BATCH_CALLS,
  skip: 1_000_000,
  limit: 1_000_000,
});

/**
 * Highest accepted setting per limit: above these, the runtime's own recursion (JSON.stringify, the
 * schemas) or SQLite's integer range would fail before the limit does.
 */
export const LIMIT_CEILINGS: Readonly<Limits> = Object.freeze({
  jsonDepth: 1000,
  clientDataBytes: 10 * 1024 * 1024,
  contentBytes: 10 * 1024 * 1024,
  nameLength: 10 * 1024 * 1024,
  idLength: 10 * 1024 * 1024,
  batchCalls: 100_000,
  skip: Number.MAX_SAFE_INTEGER,
  limit: Number.MAX_SAFE_INTEGER,
});

/**
 * The limits the limit-aware actions read. Set only for the duration of one synchronous parse
 * (`underLimits`): a sync valibot parse cannot yield, so no other request can ever observe it.
 */
let active: Readonly<Limits> = DEFAULT_LIMITS;

export function underLimits<T>(limits: Readonly<Limits>, parse: () => T): T {
  const previous = active;
  active = limits;
  try {
    return parse();
  } finally {
    active = previous;
  }
}

type Key = keyof Limits;
type Validation<T> = v.BaseValidation<T, T, v.BaseIssue<unknown>>;

/** A pipe action built from the limit in force when it runs (one instance kept per distinct bound). */
function limited<T>(key: Key, make: (bound: number) => Validation<T>): Validation<T> {
  const byBound = new Map<number, Validation<T>>();
  const current = (): Validation<T> => {
    const bound = active[key];
    let action = byBound.get(bound);
    if (!action) byBound.set(bound, (action = make(bound)));
    return action;
  };
  return { ...make(DEFAULT_LIMITS[key]), '~run': (dataset, config) => current()['~run'](dataset, config) };
}

/** At most the limit's number of characters. */
export const maxLengthOf = (key: Key): Validation<string> => limited(key, (n) => v.maxLength<string, number>(n));

/** At most the limit's value. */
export const maxValueOf = (key: Key): Validation<number> => limited(key, (n) => v.maxValue<number, number>(n));

const encoder = new TextEncoder();

/** UTF-8 bytes of a value serialized as it is stored. */
export const jsonBytes = (value: unknown): number => encoder.encode(JSON.stringify(value) ?? '').length;

/** The issue type of a value over its byte limit. */
export const SIZE_ISSUE = 'max_json_bytes';

/** The value, serialized, is at most `bound` bytes (issue type `SIZE_ISSUE`, requirement `bound`). */
function maxJsonBytes<T>(bound: number): Validation<T> {
  return {
    kind: 'validation',
    type: SIZE_ISSUE,
    reference: maxJsonBytes,
    async: false,
    expects: `<=${bound}`,
    requirement: bound,
    message: undefined,
    '~run'(dataset, config) {
      if (dataset.typed) {
        const size = jsonBytes(dataset.value);
        if (size > bound) v._addIssue(this, 'bytes', dataset, config, { received: `${size}` });
      }
      return dataset;
    },
  } as Validation<T> & { requirement: number; message: undefined };
}

/** At most the limit's number of bytes once serialized as JSON. */
export const maxJsonBytesOf = <T>(key: 'clientDataBytes' | 'contentBytes'): Validation<T> => limited(key, (n) => maxJsonBytes<T>(n));
