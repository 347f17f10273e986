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
 * The pass keeps no recursion and copies nothing on the common path: at most one linear scan, about the
 * cost of JSON.parse itself (some 6 ms per MB measured in Node 22), and a 10 MB `[[[[…` stops at the limit.
 */
import { err } from './errors';

export const RESERVED_KEY = '__proto__';

interface Frame {
  object: boolean;
  /** Array: index of the current item. */
  index: number;
  /** Object: the current key, as its literal's bounds in the text (-1 until one is read). */
  keyStart: number;
  keyEnd: number;
  /** Object: the next string read is a key. */
  expectKey: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * What `skipString` saw in the literal it skipped, and where the next backslash of the text is (or -1).
 * Module state is safe here: a scan is synchronous, so no other request can interleave with it.
 */
const seen = { escape: false, surrogateEscape: false, backslash: 0 };

/**
 * Index just past the closing quote of the string opening at `start`; notes its escapes in `seen`. Jumps
 * from quote to quote with indexOf; the next backslash is remembered, so the whole text is searched once.
 */
function skipString(text: string, start: number): number {
  seen.escape = false;
  seen.surrogateEscape = false;
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    if (seen.backslash !== -1 && seen.backslash < i) seen.backslash = text.indexOf('\\', i);
    const b = seen.backslash;
    if (b === -1 || b > quote) return quote + 1;
    seen.escape = true;
    // `\uD800`–`\uDFFF`: the only way JSON text decoded as UTF-8 can carry a surrogate.
    if (text.charCodeAt(b + 1) === 0x75 /* u */ && /^[dD][89a-fA-F]$/.test(text.slice(b + 2, b + 4))) seen.surrogateEscape = true;
    i = b + 2; // past the backslash and the character it escapes
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

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const RESERVED_LITERAL = JSON.stringify(RESERVED_KEY);

function pathOf(text: string, prefix: string | undefined, frames: readonly Frame[]): string {
  const parts = prefix ? [prefix] : [];
  for (const f of frames) {
    if (!f.object) parts.push(String(f.index));
    else if (f.keyStart >= 0) parts.push(stringText(text.slice(f.keyStart, f.keyEnd)) ?? '?');
  }
  return parts.join('.');
}

export interface JsonInputOptions {
  maxDepth: number;
  /** The `invalid-request-structure` message when the text is not JSON. */
  invalidMessage: string;
  /** Where the value sits in the params, for the paths in errors (`update`, `clientData`). */
  pathPrefix?: string;
}

/**
 * Checks nesting, keys and surrogates in one pass; throws the 400 that names the first offending path.
 * Nothing is copied on the common path: keys are kept as bounds and decoded only to name a path.
 */
function scan(text: string, { maxDepth, pathPrefix }: JsonInputOptions): void {
  const frames: Frame[] = [];
  seen.backslash = 0;
  const refuse = (code: string, message: string): never => {
    throw err.paramsFormat(message, [{ code, message, path: pathOf(text, pathPrefix, frames) }]);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = skipString(text, i);
      const top = frames[frames.length - 1];
      const isKey = top?.object === true && top.expectKey;
      if (isKey) {
        top.keyStart = i;
        top.keyEnd = end;
        top.expectKey = false;
        const reserved = seen.escape ? stringText(text.slice(i, end)) === RESERVED_KEY : text.startsWith(RESERVED_LITERAL, i) && end - i === RESERVED_LITERAL.length;
        if (reserved) refuse('reserved_key', `The key "${RESERVED_KEY}" is not accepted in JSON input.`);
      }
      if (seen.surrogateEscape && LONE_SURROGATE.test(stringText(text.slice(i, end)) ?? '')) {
        refuse('unicode', `A ${isKey ? 'key' : 'string'} holds an unpaired surrogate (\\uD800–\\uDFFF), which UTF-8 cannot store.`);
      }
      i = end - 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (frames.length >= maxDepth) {
        throw err.requestStructure(`JSON input is nested deeper than ${maxDepth} levels.`, { limit: maxDepth, path: pathOf(text, pathPrefix, frames) });
      }
      frames.push({ object: c === 0x7b, index: 0, keyStart: -1, keyEnd: -1, expectKey: c === 0x7b });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
    } else if (c === 0x2c /* , */) {
      const top = frames[frames.length - 1];
      if (top?.object) top.expectKey = true;
      else if (top) top.index += 1;
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
