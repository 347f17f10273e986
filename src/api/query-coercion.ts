import type * as v from 'valibot';
import { err } from '../core/errors';
import { parseJsonInput } from '../core/json-input';

/** How a query-string value is read, derived from the method's params schema (§2.8). */
type Kind = 'boolean' | 'number' | 'integer' | 'string' | 'array' | 'json' | 'json-or-strings';

type AnySchema = v.GenericSchema & {
  type: string;
  wrapped?: AnySchema;
  pipe?: { type: string }[];
  entries?: Record<string, AnySchema>;
};

const WRAPPERS = new Set(['optional', 'nullable', 'nullish', 'exact_optional', 'undefinedable', 'non_optional']);

function kindOf(schema: AnySchema | undefined): Kind {
  let s = schema;
  while (s && WRAPPERS.has(s.type) && s.wrapped) s = s.wrapped;
  if (!s) return 'string';
  switch (s.type) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return s.pipe?.some((a) => a.type === 'integer') ? 'integer' : 'number';
    case 'array':
      return 'array';
    case 'union':
    case 'variant':
      return 'json-or-strings';
    case 'object':
    case 'strict_object':
    case 'loose_object':
    case 'record':
    case 'unknown':
    case 'any':
      return 'json';
    default:
      return 'string';
  }
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function coerceOne(name: string, kind: Kind, values: string[], maxDepth: number): unknown {
  const parseJsonParam = (key: string, text: string) =>
    parseJsonInput(text, { maxDepth, pathPrefix: key, invalidMessage: `The "${key}" parameter is not valid JSON.` });
  const single = (): string => {
    if (values.length > 1) throw err.paramsFormat(`The "${name}" parameter must be given once.`, [{ code: 'type', message: 'Given more than once', path: name }]);
    return values[0];
  };
  const bad = (expected: string) =>
    err.paramsFormat(`The "${name}" parameter must be ${expected}.`, [{ code: 'type', message: `Expected ${expected}`, path: name }]);
  switch (kind) {
    case 'boolean': {
      const text = single();
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw bad('true or false');
    }
    case 'number':
    case 'integer': {
      const text = single();
      if (!JSON_NUMBER.test(text)) throw bad(kind === 'integer' ? 'an integer' : 'a number');
      const n = Number(text);
      if (kind === 'integer' && !Number.isInteger(n)) throw bad('an integer');
      return n;
    }
    case 'array':
      return values;
    case 'json':
      return parseJsonParam(name, single());
    case 'json-or-strings': {
      const first = values[0].trimStart();
      if (values.length === 1 && (first.startsWith('{') || first.startsWith('['))) return parseJsonParam(name, values[0]);
      return values;
    }
    default:
      return single();
  }
}

/**
 * Reads a query string into params for `schema`: repeated keys and `k[]` form arrays (order kept), booleans
 * and numbers are parsed strictly, JSON-valued params are parsed. `auth` is removed before validation.
 */
export function coerceQuery(query: URLSearchParams, schema: v.GenericSchema, maxDepth: number): Record<string, unknown> {
  const entries = (schema as AnySchema).entries ?? {};
  const grouped = new Map<string, string[]>();
  for (const [rawKey, value] of query) {
    if (rawKey === 'auth') continue;
    const key = rawKey.endsWith('[]') ? rawKey.slice(0, -2) : rawKey;
    if (key.includes('[') || key.includes(']')) throw err.requestStructure(`Unsupported nested parameter syntax "${rawKey}".`);
    const list = grouped.get(key);
    if (list) list.push(value);
    else grouped.set(key, [value]);
  }
  const params: Record<string, unknown> = {};
  for (const [key, values] of grouped) {
    // Unknown keys pass through untouched so the closed schema can name them in its error.
    params[key] = key in entries ? coerceOne(key, kindOf(entries[key]), values, maxDepth) : values.length === 1 ? values[0] : values;
  }
  return params;
}
