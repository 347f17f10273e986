import { err } from '../core/errors';
import { jsonBytes } from '../core/limits';

/**
 * `clientData` update semantics (§4.2): keys are merged, a key set to `null` is removed, `null` clears it all.
 * The merged object must still fit in `maxBytes` serialized: each update may be small, the sum may not.
 */
export function mergeClientData(
  current: Record<string, unknown> | null,
  update: Record<string, unknown> | null | undefined,
  maxBytes: number,
): Record<string, unknown> | null {
  if (update === undefined) return current;
  if (update === null) return null;
  const out: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  if (jsonBytes(out) > maxBytes) throw err.tooLarge(maxBytes, 'update.clientData');
  return Object.keys(out).length > 0 ? out : null;
}
