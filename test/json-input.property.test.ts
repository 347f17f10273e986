import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/core/errors';
import { parseJsonInput } from '../src/core/json-input';

/**
 * The JSON reader's one-pass scan against a plain walk of the parsed value: for any JSON text, it refuses
 * exactly when the value is nested too deep, has a `__proto__` key or holds an unpaired surrogate, and the
 * reason it gives is one of those the walk finds.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function problemsOf(value: unknown, maxDepth: number): Set<string> {
  const found = new Set<string>();
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (typeof x === 'string' && LONE_SURROGATE.test(x)) found.add('unicode');
    if (typeof x !== 'object' || x === null) continue;
    if (depth > maxDepth) found.add('depth');
    for (const [key, child] of Object.entries(x)) {
      if (key === '__proto__') found.add('reserved_key');
      if (LONE_SURROGATE.test(key)) found.add('unicode');
      stack.push([child, depth + 1]);
    }
  }
  return found;
}

/** Strings that exercise the scan: escapes, quotes, backslashes, surrogates paired and not, the reserved key. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('__proto__', '\uD800', 'a\uDC00', '😀', '\\', '"', 'x\\"y', '\\u', '\\ud800'),
);
/** Objects built with defineProperty, so a `__proto__` key is an own key as JSON.parse would make it. */
const { json } = fc.letrec<{ json: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  json: fc.oneof({ maxDepth: 6 }, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), text, fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('json'), { maxLength: 3 }),
  object: fc.array(fc.tuple(text, tie('json')), { maxLength: 3 }).map((entries) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
    return o;
  }),
}));

describe('the JSON input scan agrees with a walk of the parsed value (property)', () => {
  it('refuses exactly the values that are too deep, hold __proto__ or an unpaired surrogate, for one of their reasons', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 1, max: 6 }), fc.boolean(), (value, maxDepth, spaced) => {
        const source = JSON.stringify(value, null, spaced ? 1 : 0);
        const expected = problemsOf(JSON.parse(source), maxDepth);
        let reason: string | null = null;
        try {
          expect(parseJsonInput(source, { maxDepth, invalidMessage: 'not JSON' })).toEqual(JSON.parse(source));
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          reason = e.id === 'invalid-request-structure' ? 'depth' : (e.data as { code: string }[])[0].code;
        }
        if (reason === null) expect(expected.size, source).toBe(0);
        else expect(expected.has(reason), `${source} → ${reason}, expected one of ${[...expected]}`).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
