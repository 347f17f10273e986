/**
 * Params validation for every transport and method: valibot schemas, the `invalid-parameters-format` shape of
 * their failures (§3), update objects, and the schemas several methods share.
 */
import * as v from 'valibot';
import { err } from './errors';

/** Schema issues as `data` of `invalid-parameters-format`: `[{code, message, path}]` (§3). */
export function issuesData(issues: readonly v.BaseIssue<unknown>[]) {
  return issues.map((issue) => ({
    code: issue.type,
    message: issue.message,
    path: (issue.path ?? []).map((p) => String(p.key)).join('.'),
  }));
}

/** The schema's output, or a 400 naming the first offending path. `prefix` roots the paths (`update`). */
export function validateParams<S extends v.GenericSchema>(schema: S, raw: unknown, prefix?: string): v.InferOutput<S> {
  const result = v.safeParse(schema, raw);
  if (result.success) return result.output;
  const data = issuesData(result.issues).map((d) => (prefix === undefined ? d : { ...d, path: d.path ? `${prefix}.${d.path}` : prefix }));
  const first = data[0];
  const where = first.path ? ` "${first.path}"` : '';
  throw err.paramsFormat(`Invalid parameter${where}: ${first.message}`, data);
}

/** Names of accesses, streams, followed slices; tags (§10): 1 to 500 characters. */
export const MAX_NAME_LENGTH = 500;
export const nameSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_NAME_LENGTH));
export const deviceNameSchema = v.nullable(v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH)));

/** E-mail addresses (§10): at most 300 characters, with one `@` and a dot in the domain. */
export const MAX_EMAIL_LENGTH = 300;
export const emailSchema = v.pipe(v.string(), v.maxLength(MAX_EMAIL_LENGTH), v.regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Invalid e-mail address'));

/** Language codes (§10): 1 to 5 characters. */
export const languageSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(5));

/** Passwords (§10): 6 to 100 characters. */
export const passwordSchema = v.pipe(v.string(), v.minLength(6), v.maxLength(100));

/** Free-form client data: an object, or `null` to clear it (§4.1). */
export const clientDataSchema = v.nullable(v.record(v.string(), v.unknown()));

/** Float seconds; ±1.7976931348623157e+308 are valid, infinities and NaN are not. */
export const timestamp = () => v.pipe(v.number(), v.finite());

/** A JSON object of changes (arrays are objects to valibot's `record`, not to the API). */
export const changesSchema = v.pipe(
  v.unknown(),
  v.check((value) => !Array.isArray(value), 'Expected a JSON object.'),
  v.record(v.string(), v.unknown()),
);

/** `{id, update}`: what PUT routes and batch calls of every `*.update` method take. */
export const updateParams = v.strictObject({ id: v.string(), update: v.record(v.string(), v.unknown()) });

/**
 * An update object: read-only keys are 403 (§4.1) before the closed schema applies (400, paths under
 * `update.`). `readOnly` may admit some values of a key (`expires: null` on accesses).
 */
export function parseUpdate<S extends v.GenericSchema>(
  update: Record<string, unknown>,
  readOnly: readonly string[] | ((key: string, value: unknown) => boolean),
  schema: S,
): v.InferOutput<S> {
  const isReadOnly = typeof readOnly === 'function' ? readOnly : (key: string) => readOnly.includes(key);
  const offending = Object.keys(update).filter((k) => isReadOnly(k, update[k]));
  if (offending.length > 0) throw err.forbidden(`Read-only field(s) cannot be updated: ${offending.join(', ')}.`, { fields: offending });
  return validateParams(schema, update, 'update');
}
