import type * as v from 'valibot';
import type { AccessContext, PublicContext, UserContext } from './context';

export type AccessType = 'personal' | 'app' | 'shared';

/**
 * A method's answer: the payload keys, in output order, and the HTTP status. A payload value that is an
 * AsyncIterable is a list produced lazily; transports stream it (HTTP) or collect it (batch).
 */
export interface MethodResult {
  status?: number;
  payload: Record<string, unknown>;
}

type Schema = v.GenericSchema<unknown, unknown>;

interface Base<S extends Schema> {
  id: string;
  /** Closed valibot schema of the params (an unknown key is an error). */
  params: S;
  /** Whether `callBatch` may call it (HTTP-only methods answer `invalid-method` there). */
  batch: boolean;
}

export interface PublicMethod<S extends Schema = Schema> extends Base<S> {
  auth: 'public';
  handler: (ctx: PublicContext, params: v.InferOutput<S>) => Promise<MethodResult>;
}

export interface UserMethod<S extends Schema = Schema> extends Base<S> {
  auth: 'user';
  handler: (ctx: UserContext, params: v.InferOutput<S>) => Promise<MethodResult>;
}

export interface AccessMethod<S extends Schema = Schema> extends Base<S> {
  auth: 'access';
  /** Access types allowed to call it; others get 403 `forbidden` before the handler runs. */
  who: readonly AccessType[];
  handler: (ctx: AccessContext, params: v.InferOutput<S>) => Promise<MethodResult>;
}

export type MethodDef = PublicMethod | UserMethod | AccessMethod;

/** Typed constructors: the handler's params type is inferred from the schema. */
export const publicMethod = <S extends Schema>(def: Omit<PublicMethod<S>, 'auth'>): MethodDef =>
  ({ ...def, auth: 'public' }) as unknown as MethodDef;
export const userMethod = <S extends Schema>(def: Omit<UserMethod<S>, 'auth'>): MethodDef =>
  ({ ...def, auth: 'user' }) as unknown as MethodDef;
export const accessMethod = <S extends Schema>(def: Omit<AccessMethod<S>, 'auth'>): MethodDef =>
  ({ ...def, auth: 'access' }) as unknown as MethodDef;

export const ok = (payload: Record<string, unknown>, status = 200): MethodResult => ({ status, payload });
