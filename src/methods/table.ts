/**
 * How an API method is declared, once: id, params schema, who may call it, what it changes, and a typed
 * handler. The constructors keep the schema and result types: `call` validates the raw params and hands the
 * handler their typed output, so nothing is cast.
 */
import type * as v from 'valibot';
import type { AccessContext, MethodResult, Payload, PublicContext, UserContext } from '../core/context';
import { err } from '../core/errors';
import { validateParams } from '../core/params';
import type { ChangeKind } from '../core/notices';
import type { AccessType } from '../core/permissions';

type Schema = v.GenericSchema<unknown, unknown>;

interface Declaration<S extends Schema, C, P extends Payload> {
  id: string;
  /** Closed valibot schema of the params (an unknown key is an error). */
  params: S;
  /** Whether `callBatch` may call it (HTTP-only methods answer `invalid-method` there). */
  batch: boolean;
  /** The parts of the account a successful call changes (none for reads). */
  changes?: readonly ChangeKind[];
  /** False for a method that only carries other calls (`callBatch`): those are audited, it is not (§5.13). */
  audited?: boolean;
  /**
   * Whether a call may end or narrow what tokens authorize (decision 026); default: it changes `accesses`.
   * The call path then announces it to the account's authority, so no replica judges a token meanwhile.
   */
  revokes?: boolean;
  /** A check of the raw params before the schema, for errors whose `data` the contract fixes (`callBatch`). */
  precheck?: (raw: unknown, ctx: C) => void;
  handler: (ctx: C, params: v.InferOutput<S>) => Promise<MethodResult<P>>;
}

interface Registered<C> {
  id: string;
  params: Schema;
  batch: boolean;
  changes: readonly ChangeKind[];
  audited: boolean;
  revokes: boolean;
  /** Validates the raw params, then runs the handler. */
  call: (ctx: C, raw: unknown) => Promise<MethodResult>;
}

export interface PublicMethod extends Registered<PublicContext> {
  auth: 'public';
}
export interface UserMethod extends Registered<UserContext> {
  auth: 'user';
}
export interface AccessMethod extends Registered<AccessContext> {
  auth: 'access';
  /** Access types allowed to call it; others get 403 `forbidden` before the handler runs. */
  who: readonly AccessType[];
  /**
   * Takes the files of a multipart request: the call path stages them (decision 017) and the params carry them
   * as `attachments` (an `UploadedFiles`, which JSON cannot forge).
   */
  files?: boolean;
  /**
   * Also authorized by an attachment `readToken` (§5.5) bound to the file this param names (`events.getAttachment`:
   * `fileId`). No other method accepts one.
   */
  readTokenParam?: string;
}

export type MethodDef = PublicMethod | UserMethod | AccessMethod;

/** A declared method that still knows its result type (`ResultOf`), for callers reading its payload. */
export type Typed<M, P extends Payload> = M & { readonly __result?: P };
export type ResultOf<M> = M extends { readonly __result?: infer P } ? P : never;

function register<S extends Schema, C extends PublicContext, P extends Payload>(def: Declaration<S, C, P>): Registered<C> {
  return {
    id: def.id,
    params: def.params,
    batch: def.batch,
    changes: def.changes ?? [],
    audited: def.audited ?? true,
    revokes: def.revokes ?? (def.changes ?? []).includes('accesses'),
    call: async (ctx, raw) => {
      def.precheck?.(raw, ctx);
      return def.handler(ctx, validateParams(def.params, raw, ctx.config.limits));
    },
  };
}

export const publicMethod = <S extends Schema, P extends Payload>(def: Declaration<S, PublicContext, P>): Typed<PublicMethod, P> => ({
  ...register(def),
  auth: 'public',
});

export const userMethod = <S extends Schema, P extends Payload>(def: Declaration<S, UserContext, P>): Typed<UserMethod, P> => ({
  ...register(def),
  auth: 'user',
});

export const accessMethod = <S extends Schema, P extends Payload>(
  def: Declaration<S, AccessContext, P> & Pick<AccessMethod, 'who' | 'files' | 'readTokenParam'>,
): Typed<AccessMethod, P> => ({
  // The access type is checked once the params are valid (a malformed call is a 400 whoever makes it).
  ...register({
    ...def,
    handler: (ctx, params) => {
      if (!def.who.includes(ctx.access.type)) throw err.forbidden();
      return def.handler(ctx, params);
    },
  }),
  auth: 'access',
  who: def.who,
  files: def.files,
  readTokenParam: def.readTokenParam,
});

export const ok = <P extends Payload>(payload: P, status = 200): MethodResult<P> => ({ status, payload });
