import { accessInfoMethods } from './access-info';
import { accessesMethods } from './accesses';
import { authMethods } from './auth';
import { followedSlicesMethods } from './followed-slices';
import { registerMethods } from './register';
import { serviceMethods } from './service';
import type { MethodDef } from './table';

/** The method table: every API method, declared once, keyed by id. Transports only look methods up here. */
export const METHODS: ReadonlyMap<string, MethodDef> = new Map(
  [...serviceMethods, ...registerMethods, ...authMethods, ...accessInfoMethods, ...accessesMethods, ...followedSlicesMethods].map((m) => [m.id, m]),
);
