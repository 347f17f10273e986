/**
 * Params validation for every transport and method: valibot schemas, the `invalid-parameters-format` shape of
 * their failures (§3), update objects, and the schemas several methods share.
 */
import * as v from 'valibot';
import { err } from './errors';
import { DEFAULT_LIMITS, maxJsonBytesOf, maxLengthOf, SIZE_ISSUE, underLimits, type Limits } from './limits';

export interface IssueData {
  code: string;
  message: string;
  path: string;
  /** The bound a `max_*` issue exceeded (a length, a value, a size in bytes). */
  limit?: number;
}

/** Schema issues as `data` of `invalid-parameters-format`: `[{code, message, path, limit?}]` (§3). */
export function issuesData(issues: readonly v.BaseIssue<unknown>[]): IssueData[] {
  return issues.map((issue) => {
    const data: IssueData = { code: issue.type, message: issue.message, path: (issue.path ?? []).map((p) => String(p.key)).join('.') };
    if (issue.type.startsWith('max_') && typeof issue.requirement === 'number') data.limit = issue.requirement;
    return data;
  });
}

/**
 * The schema's output, or a 400 naming the first offending path. `limits` are the operator's (the schemas'
 * limit-aware actions read them); `prefix` roots the paths (`update`).
 */
export function validateParams<S extends v.GenericSchema>(schema: S, raw: unknown, limits: Readonly<Limits> = DEFAULT_LIMITS, prefix?: string): v.InferOutput<S> {
  const result = underLimits(limits, () => v.safeParse(schema, raw));
  if (result.success) return result.output;
  const data = issuesData(result.issues).map((d) => (prefix === undefined ? d : { ...d, path: d.path ? `${prefix}.${d.path}` : prefix }));
  // A free-form value over its byte limit is a size refusal, like an event over 1 MiB (§3): 413, when
  // nothing else is wrong.
  if (data.every((d) => d.code === SIZE_ISSUE)) throw err.tooLarge(data[0].limit!, data[0].path);
  const first = data[0];
  const where = first.path ? ` "${first.path}"` : '';
  throw err.paramsFormat(`Invalid parameter${where}: ${first.message}`, data);
}

/** Names of accesses, streams, followed slices: 1 to `nameLength` characters (500 by default, §10). */
export const nameSchema = v.pipe(v.string(), v.minLength(1), maxLengthOf('nameLength'));
export const deviceNameSchema = v.nullable(v.pipe(v.string(), maxLengthOf('nameLength')));

/** E-mail addresses (§10): at most 300 characters, with one `@` and a dot in the domain. */
export const MAX_EMAIL_LENGTH = 300;
export const emailSchema = v.pipe(v.string(), v.maxLength(MAX_EMAIL_LENGTH), v.regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Invalid e-mail address'));

/** Language codes (§10): 1 to 5 characters. */
export const languageSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(5));

/** Passwords (§10): 6 to 100 characters. */
export const passwordSchema = v.pipe(v.string(), v.minLength(6), v.maxLength(100));

/** Any id a client sends, as given (path ids, references, ids to slugify): at most `idLength` characters. */
export const idSchema = v.pipe(v.string(), maxLengthOf('idLength'));

/**
 * A JSON object taken exactly as sent. Arrays are refused, and every own key is kept: valibot's `record`
 * would turn `[1]` into `{"0": 1}` and drop `constructor` and `prototype` keys.
 */
export const jsonObject = v.custom<Record<string, unknown>>(
  (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
  'Expected an object',
);

/** Free-form client data: an object of at most `clientDataBytes` serialized, or `null` to clear it (§4.1). */
export const clientDataSchema = v.nullable(v.pipe(jsonObject, maxJsonBytesOf('clientDataBytes')));

/** Float seconds; ±1.7976931348623157e+308 are valid, infinities and NaN are not. */
export const timestamp = () => v.pipe(v.number(), v.finite());

/** `{id, update}`: what PUT routes and batch calls of every `*.update` method take. */
export const updateParams = v.strictObject({ id: idSchema, update: jsonObject });

/**
 * An update object: read-only keys are 403 (§4.1) before the closed schema applies (400, paths under
 * `update.`). `readOnly` may admit some values of a key (`expires: null` on accesses).
 */
export function parseUpdate<S extends v.GenericSchema>(
  update: Record<string, unknown>,
  readOnly: readonly string[] | ((key: string, value: unknown) => boolean),
  schema: S,
  limits: Readonly<Limits>,
): v.InferOutput<S> {
  const isReadOnly = typeof readOnly === 'function' ? readOnly : (key: string) => readOnly.includes(key);
  const offending = Object.keys(update).filter((k) => isReadOnly(k, update[k]));
  if (offending.length > 0) throw err.forbidden(`Read-only field(s) cannot be updated: ${offending.join(', ')}.`, { fields: offending });
  return validateParams(schema, update, limits, 'update');
}
