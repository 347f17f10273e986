import * as v from 'valibot';
import { err } from './errors';
import type { AccessContext, PublicContext, UserContext } from '../methods/context';
import type { MethodDef, MethodResult } from '../methods/table';

/** Schema issues as `data` of `invalid-parameters-format`: `[{code, message, path}]` (§3). */
export function issuesData(issues: readonly v.BaseIssue<unknown>[]) {
  return issues.map((issue) => ({
    code: issue.type,
    message: issue.message,
    path: (issue.path ?? []).map((p) => String(p.key)).join('.'),
  }));
}

export function validateParams<S extends v.GenericSchema>(schema: S, raw: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, raw);
  if (result.success) return result.output;
  const data = issuesData(result.issues);
  const first = data[0];
  const where = first.path ? ` "${first.path}"` : '';
  throw err.paramsFormat(`Invalid parameter${where}: ${first.message}`, data);
}

/** The context a transport resolved for the call: what the method's `auth` kind needs must be present. */
export type CallContext = PublicContext | UserContext | AccessContext;

/** Runs one method of the table: params validation, access-type check, then the typed handler. */
export async function invoke(def: MethodDef, rawParams: unknown, ctx: CallContext): Promise<MethodResult> {
  const params = validateParams(def.params, rawParams);
  switch (def.auth) {
    case 'public':
      return def.handler(ctx, params);
    case 'user':
      return def.handler(ctx as UserContext, params);
    case 'access': {
      const actx = ctx as AccessContext;
      if (!def.who.includes(actx.access.type)) throw err.forbidden();
      return def.handler(actx, params);
    }
  }
}
