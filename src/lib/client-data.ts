/** `clientData` update semantics (§4.2): keys are merged, a key set to `null` is removed, `null` clears it all. */
export function mergeClientData(
  current: Record<string, unknown> | null,
  update: Record<string, unknown> | null | undefined,
): Record<string, unknown> | null {
  if (update === undefined) return current;
  if (update === null) return null;
  const out: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : null;
}
