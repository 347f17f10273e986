import { accessInfoMethods } from './access-info';
import { authMethods } from './auth';
import { registerMethods } from './register';
import { serviceMethods } from './service';
import { eventMethods } from './events';
import { eventsGetMethod } from './events-get';
import { streamMethods } from './streams';
import type { MethodDef } from './table';

/** The method table: every API method, declared once, keyed by id. Transports only look methods up here. */
export const METHODS: ReadonlyMap<string, MethodDef> = new Map(
  [...serviceMethods, ...registerMethods, ...authMethods, ...accessInfoMethods, ...streamMethods, eventsGetMethod, ...eventMethods].map((m) => [m.id, m]),
);
