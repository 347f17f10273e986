import { accessInfoMethods } from './access-info';
import { accessesMethods } from './accesses';
import { authMethods } from './auth';
import { eventMethods } from './events';
import { eventsGetMethod } from './events-get';
import { followedSlicesMethods } from './followed-slices';
import { registerMethods } from './register';
import { serviceMethods } from './service';
import { streamMethods } from './streams';
import type { MethodDef } from './table';

/** The method table: every API method, declared once, keyed by id. Transports only look methods up here. */
export const METHODS: ReadonlyMap<string, MethodDef> = new Map(
  [
    ...serviceMethods, ...registerMethods, ...authMethods, ...accessInfoMethods, ...accessesMethods, ...followedSlicesMethods,
    ...streamMethods, eventsGetMethod, ...eventMethods,
  ].map((m) => [m.id, m]),
);
