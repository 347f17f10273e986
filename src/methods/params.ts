/** Valibot pieces shared by the streams and events methods. */
import * as v from 'valibot';
import { ApiError, err } from '../api/errors';
import { validateParams } from '../api/invoke';

/** Float seconds; ±1.7976931348623157e+308 are valid, infinities and NaN are not. */
export const timestamp = () => v.pipe(v.number(), v.finite());

export const clientDataSchema = v.nullable(v.record(v.string(), v.unknown()));

/** Update objects: read-only keys are 403 (§4.1), then the closed schema applies (400). */
export function parseUpdate<S extends v.GenericSchema>(update: Record<string, unknown>, readOnly: readonly string[], schema: S): v.InferOutput<S> {
  const offending = readOnly.filter((k) => k in update);
  if (offending.length > 0) throw err.forbidden(`Read-only field(s) cannot be updated: ${offending.join(', ')}.`, { fields: offending });
  try {
    return validateParams(schema, update);
  } catch (e) {
    if (e instanceof ApiError && Array.isArray(e.data)) {
      for (const d of e.data as { path: string }[]) d.path = d.path ? `update.${d.path}` : 'update';
    }
    throw e;
  }
}

export const updateParams = v.strictObject({ id: v.string(), update: v.record(v.string(), v.unknown()) });
