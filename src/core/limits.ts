/** Input limits: operator settings with defaults (read in `src/config.ts`, listed in docs/limits.md, decision 012). */

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
