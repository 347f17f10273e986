/**
 * Eval-free validator for the event-type definition subset (spec §9.1, §9.2).
 *
 * A definition is compiled ONCE into a tree of closures (no code generation: Workers forbid eval/new Function),
 * then each call only runs the checks that definition has. See docs/decisions/006-event-type-validation.md.
 *
 * This file imports nothing and uses only erasable TypeScript, so the build script
 * (scripts/build-event-types.mjs) loads it directly in Node to prove every example and counter-example.
 */

export interface ContentIssue {
  /** Where the failure is, e.g. `content`, `content.latitude`, `content.items[2]`. */
  path: string;
  /** The definition keyword that failed, e.g. `type`, `required`, `minimum`, `additionalProperties`. */
  rule: string;
  message: string;
}

export type Definition = { [keyword: string]: unknown };

/** Appends the issues found in `value` (at `path`) to `issues`. */
export type Check = (value: unknown, path: string, issues: ContentIssue[]) => void;

/** Keywords a definition may use (spec §9.1). Anything else is refused by the build. */
export const SUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  'type', 'description', 'extras', 'properties', 'required', 'enum', 'pattern', 'minimum', 'maximum',
  'minLength', 'maxLength', 'items', 'minItems', 'maxItems', 'additionalProperties', 'patternProperties',
  'oneOf', 'attachmentRequired',
]);

export const JSON_TYPES: ReadonlySet<string> = new Set(['null', 'boolean', 'object', 'array', 'number', 'integer', 'string']);

const NO_CHECK: Check = () => undefined;

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `path.key`, or `path["key"]` when the key is not an identifier. */
export function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Length in Unicode code points, as JSON Schema counts it; the cheap UTF-16 length bounds it. */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as any)[k], (b as any)[k]));
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      return false;
  }
}

/** Compiles a definition (assumed well-formed: the build checks it) into a closure tree. */
export function compile(def: Definition): Check {
  const checks: Check[] = [];

  if (def.type !== undefined) {
    const types = (Array.isArray(def.type) ? def.type : [def.type]) as string[];
    const expected = types.join(' or ');
    if (types.length === 1) {
      const t = types[0];
      checks.push((v, path, issues) => {
        if (!typeMatches(t, v)) issues.push({ path, rule: 'type', message: `must be ${t === 'null' ? 'absent or null' : `of type ${t}`} (got ${jsonType(v)})` });
      });
    } else {
      checks.push((v, path, issues) => {
        if (!types.some((t) => typeMatches(t, v))) issues.push({ path, rule: 'type', message: `must be of type ${expected} (got ${jsonType(v)})` });
      });
    }
  }

  if (Array.isArray(def.enum)) {
    const values = def.enum as unknown[];
    const allPrimitive = values.every((x) => x === null || typeof x !== 'object');
    const shown = values.map((x) => JSON.stringify(x)).join(', ');
    checks.push((v, path, issues) => {
      const found = allPrimitive ? values.includes(v) : values.some((x) => deepEqual(x, v));
      if (!found) issues.push({ path, rule: 'enum', message: `must be one of ${shown}` });
    });
  }

  // Numbers
  if (typeof def.minimum === 'number') {
    const min = def.minimum;
    checks.push((v, path, issues) => {
      if (typeof v === 'number' && v < min) issues.push({ path, rule: 'minimum', message: `must be ≥ ${min}` });
    });
  }
  if (typeof def.maximum === 'number') {
    const max = def.maximum;
    checks.push((v, path, issues) => {
      if (typeof v === 'number' && v > max) issues.push({ path, rule: 'maximum', message: `must be ≤ ${max}` });
    });
  }

  // Strings
  if (typeof def.minLength === 'number') {
    const min = def.minLength;
    checks.push((v, path, issues) => {
      if (typeof v === 'string' && (v.length < min || codePoints(v) < min)) issues.push({ path, rule: 'minLength', message: `must have at least ${min} characters` });
    });
  }
  if (typeof def.maxLength === 'number') {
    const max = def.maxLength;
    checks.push((v, path, issues) => {
      if (typeof v === 'string' && v.length > max && codePoints(v) > max) issues.push({ path, rule: 'maxLength', message: `must have at most ${max} characters` });
    });
  }
  if (typeof def.pattern === 'string') {
    const source = def.pattern;
    const re = new RegExp(source);
    checks.push((v, path, issues) => {
      if (typeof v === 'string' && !re.test(v)) issues.push({ path, rule: 'pattern', message: `must match ${source}` });
    });
  }

  // Arrays
  if (typeof def.minItems === 'number') {
    const min = def.minItems;
    checks.push((v, path, issues) => {
      if (Array.isArray(v) && v.length < min) issues.push({ path, rule: 'minItems', message: `must have at least ${min} items` });
    });
  }
  if (typeof def.maxItems === 'number') {
    const max = def.maxItems;
    checks.push((v, path, issues) => {
      if (Array.isArray(v) && v.length > max) issues.push({ path, rule: 'maxItems', message: `must have at most ${max} items` });
    });
  }
  if (isObject(def.items)) {
    const item = compile(def.items);
    checks.push((v, path, issues) => {
      if (!Array.isArray(v)) return;
      for (let i = 0; i < v.length; i++) item(v[i], `${path}[${i}]`, issues);
    });
  }

  // Objects
  if (Array.isArray(def.required) && def.required.length > 0) {
    const required = def.required as string[];
    checks.push((v, path, issues) => {
      if (!isObject(v)) return;
      for (const key of required) {
        if (!Object.prototype.hasOwnProperty.call(v, key)) issues.push({ path: childPath(path, key), rule: 'required', message: `is required` });
      }
    });
  }
  // Paths of declared members are suffixes computed once; only undeclared keys pay for childPath().
  const propertyChecks = new Map<string, { check: Check; suffix: string }>(
    isObject(def.properties) ? Object.entries(def.properties).map(([k, d]) => [k, { check: compile(d as Definition), suffix: childPath('', k) }]) : [],
  );
  const patterns = isObject(def.patternProperties)
    ? Object.entries(def.patternProperties).map(([p, d]) => ({ re: new RegExp(p), check: compile(d as Definition) }))
    : [];
  const additional = def.additionalProperties;
  const additionalCheck: Check | undefined = isObject(additional) ? compile(additional) : undefined;
  const closed = additional === false;
  if (patterns.length > 0 || closed || additionalCheck) {
    checks.push((v, path, issues) => {
      if (!isObject(v)) return;
      for (const key of Object.keys(v)) {
        const own = propertyChecks.get(key);
        if (own) own.check(v[key], path + own.suffix, issues);
        let matched = own !== undefined;
        for (const { re, check } of patterns) {
          if (re.test(key)) {
            matched = true;
            check(v[key], childPath(path, key), issues);
          }
        }
        if (matched) continue;
        if (closed) issues.push({ path: childPath(path, key), rule: 'additionalProperties', message: 'is not allowed' });
        else if (additionalCheck) additionalCheck(v[key], childPath(path, key), issues);
      }
    });
  } else if (propertyChecks.size > 0) {
    // Open object: visit only the declared members that are present.
    const declared = [...propertyChecks];
    checks.push((v, path, issues) => {
      if (!isObject(v)) return;
      for (const [key, { check, suffix }] of declared) {
        if (Object.prototype.hasOwnProperty.call(v, key)) check(v[key], path + suffix, issues);
      }
    });
  }

  // Alternatives
  if (Array.isArray(def.oneOf)) {
    const branches = (def.oneOf as Definition[]).map(compile);
    checks.push((v, path, issues) => {
      let matches = 0;
      let closest: ContentIssue[] | undefined;
      for (const branch of branches) {
        const found: ContentIssue[] = [];
        branch(v, path, found);
        if (found.length === 0) matches++;
        else if (!closest || found.length < closest.length) closest = found;
      }
      if (matches === 1) return;
      const detail = matches === 0 && closest ? ` (closest: ${closest[0].path} ${closest[0].message})` : '';
      issues.push({ path, rule: 'oneOf', message: `must match exactly one of ${branches.length} definitions, matched ${matches}${detail}` });
    });
  }

  // `attachmentRequired` is advisory (spec §9.2 rule 4, §8.3 #45); `description` and `extras` are annotations.
  if (checks.length === 0) return NO_CHECK;
  if (checks.length === 1) return checks[0];
  // A type mismatch makes the other keywords meaningless: report only it.
  const [first, ...rest] = checks;
  const typeFirst = def.type !== undefined;
  return (v, path, issues) => {
    const before = issues.length;
    first(v, path, issues);
    if (typeFirst && issues.length > before) return;
    for (const check of rest) check(v, path, issues);
  };
}
