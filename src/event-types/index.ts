/**
 * The event-type registry at run time (spec §9): content validation for known types and the published directory.
 * Everything comes from the generated module (built from event-types/ by `npm run build:types`); definitions are
 * parsed once per isolate and each type's validator is compiled on first use.
 */
import { BoundedCache, jsonHeapBytes } from '../lib/bounded-cache';
import { FLAT_ETAG, FLAT_JSON, LICENSE_TEXT } from './generated/directory';
import { compile, type Check, type ContentIssue, type Definition } from './validator';

export type { ContentIssue } from './validator';

export type ContentCheck = { known: false } | { known: true; issues: ContentIssue[] };

let definitions: Record<string, Definition> | undefined;
/**
 * Compiled validators by type. Only directory types are compiled (360 today), so the bounds hold all of them; they
 * keep the cache bounded if the directory grows (docs/decisions/011-bounded-caches.md). A validator is sized by
 * its definition's JSON, which it closes over.
 */
export const VALIDATOR_CACHE_MAX_ENTRIES = 1_000;
export const VALIDATOR_CACHE_MAX_BYTES = 1024 * 1024;
const validators = new BoundedCache<string, Check>({
  maxEntries: VALIDATOR_CACHE_MAX_ENTRIES,
  maxBytes: VALIDATOR_CACHE_MAX_BYTES,
  sizeOf: (_check, type) => jsonHeapBytes(directoryTypes()[type]),
});

function directoryTypes(): Record<string, Definition> {
  definitions ??= (JSON.parse(FLAT_JSON) as { types: Record<string, Definition> }).types;
  return definitions;
}

/** Whether `type` is an exact key of the directory. */
export function isKnownType(type: string): boolean {
  return Object.prototype.hasOwnProperty.call(directoryTypes(), type);
}

/**
 * Validates an event's content against its type (spec §9.2): no coercion, absent content is `null`,
 * `attachmentRequired` is not enforced. Unknown types are `{known: false}` and pass unvalidated.
 * Issue paths start at `content` (`content`, `content.latitude`, `content.items[2]`); `rule` is the failed keyword.
 */
export function checkEventContent(type: string, content: unknown): ContentCheck {
  let check = validators.get(type);
  if (check === undefined) {
    const types = directoryTypes();
    if (!Object.prototype.hasOwnProperty.call(types, type)) return { known: false };
    check = compile(types[type]);
    validators.set(type, check);
  }
  const issues: ContentIssue[] = [];
  check(content === undefined ? null : content, 'content', issues);
  return { known: true, issues };
}

/**
 * Whether the directory marks `type` `attachmentRequired` (§9.1). Advisory for JSON creates (§9.2 rule 4); a
 * multipart create of such a type must carry a file (decision 017).
 */
export function requiresAttachment(type: string): boolean {
  const types = directoryTypes();
  return Object.prototype.hasOwnProperty.call(types, type) && (types[type] as { attachmentRequired?: unknown }).attachmentRequired === true;
}

/** The body of `GET /event-types/flat.json`: the merged directory in Pryv's flat shape, no `meta`. */
export function flatDirectory(): string {
  return FLAT_JSON;
}

/** Strong ETag of `flatDirectory()`, computed at build time. */
export const directoryEtag: string = FLAT_ETAG;

/** The body of `GET /event-types/LICENSE`: the upstream BSD-3-Clause notice, then the other packs' terms. */
export function directoryLicense(): string {
  return LICENSE_TEXT;
}
