/**
 * JSON text sent by a client (a body, a `_json` form field, a JSON-valued query param, a `streams` string in a
 * batch) → a value. One pass over the text before `JSON.parse` refuses what the parser would take but the
 * server must not:
 * - nesting deeper than `limits.jsonDepth`: every recursive reader after this one (serializers, schemas,
 *   the response of a later read) would otherwise overflow its stack on what was stored;
 * - `__proto__` keys: an own key of that name becomes a prototype change as soon as any JavaScript code
 *   (this server's merges, a client's `Object.assign`) copies it by assignment, so it cannot round-trip;
 * - strings (keys or values) holding an unpaired surrogate escape (`"\ud800"`): UTF-8 cannot encode it, so
 *   D1 would store invalid bytes and read them back as U+FFFD.
 * The pass keeps no recursion and no copy of the text, so a 10 MB `[[[[…` costs one linear scan.
 */
import { err } from './errors';

export const RESERVED_KEY = '__proto__';

interface Frame {
  object: boolean;
  /** Array: index of the current item. Object: the current key (null until it is read). */
  at: number | string | null;
  /** Object only: the next string read is a key. */
  expectKey: boolean;
}

const pathOf = (prefix: string | undefined, frames: readonly Frame[]): string =>
  [...(prefix ? [prefix] : []), ...frames.filter((f) => f.at !== null).map((f) => String(f.at))].join('.');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const STRING_END = /["\\]/g;

/** Index just past the closing quote of the string opening at `start`. */
function skipString(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    STRING_END.lastIndex = i;
    const found = STRING_END.exec(text);
    if (!found) return text.length;
    if (text.charCodeAt(found.index) === QUOTE) return found.index + 1;
    i = found.index + 2; // an escape: skip the backslash and the character it escapes
  }
}

/** The decoded text of a JSON string literal, or null when its escapes are malformed (JSON.parse reports it). */
function stringText(raw: string): string | null {
  if (!raw.includes('\\')) return raw.slice(1, -1);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return null;
  }
}

/** A `\uD800`–`\uDFFF` escape: the only way JSON text decoded as UTF-8 can carry a surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface JsonInputOptions {
  maxDepth: number;
  /** The `invalid-request-structure` message when the text is not JSON. */
  invalidMessage: string;
  /** Where the value sits in the params, for the paths in errors (`update`, `clientData`). */
  pathPrefix?: string;
}

/** Checks nesting and keys in one pass; throws the 400 that names the first offending path. */
function scan(text: string, { maxDepth, pathPrefix }: JsonInputOptions): void {
  const frames: Frame[] = [];
  const refuse = (code: string, message: string): never => {
    throw err.paramsFormat(message, [{ code, message, path: pathOf(pathPrefix, frames) }]);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = skipString(text, i);
      const raw = text.slice(i, end);
      const top = frames[frames.length - 1];
      const isKey = top?.object === true && top.expectKey;
      if (isKey) {
        top.at = stringText(raw);
        top.expectKey = false;
        if (top.at === RESERVED_KEY) refuse('reserved_key', `The key "${RESERVED_KEY}" is not accepted in JSON input.`);
      }
      if (SURROGATE_ESCAPE.test(raw) && LONE_SURROGATE.test(stringText(raw) ?? '')) {
        refuse('unicode', `A ${isKey ? 'key' : 'string'} holds an unpaired surrogate (\\uD800–\\uDFFF), which UTF-8 cannot store.`);
      }
      i = end - 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (frames.length >= maxDepth) {
        throw err.requestStructure(`JSON input is nested deeper than ${maxDepth} levels.`, { limit: maxDepth, path: pathOf(pathPrefix, frames) });
      }
      frames.push(c === 0x7b ? { object: true, at: null, expectKey: true } : { object: false, at: 0, expectKey: false });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
    } else if (c === 0x2c /* , */) {
      const top = frames[frames.length - 1];
      if (top?.object) top.expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    } else if (c === BACKSLASH) {
      return; // outside a string: not JSON, and JSON.parse says so
    }
  }
}

/**
 * The parsed value, or a 400: not JSON or too deep (`invalid-request-structure`, `{limit, path}` for depth),
 * a `__proto__` key or an unpaired surrogate (`invalid-parameters-format`, the path named).
 */
export function parseJsonInput(text: string, options: JsonInputOptions): unknown {
  scan(text, options);
  try {
    return JSON.parse(text);
  } catch {
    throw err.requestStructure(options.invalidMessage);
  }
}
