import * as v from 'valibot';
import { registerRoot } from '../lib/urls';
import type { PublicContext } from '../core/context';
import { ok, publicMethod, userMethod } from './table';

/** Service info (§4.12): how clients find every other endpoint. */
export function serviceInfo(ctx: PublicContext): Record<string, unknown> {
  const { config, request } = ctx;
  const base = request.baseUrl;
  const register = registerRoot(config, base);
  const api = config.domain ? `${new URL(base).protocol}//{username}.${config.domain}/` : `${base}{username}/`;
  return {
    name: config.serviceName,
    version: config.apiVersion,
    serial: config.serial,
    api,
    register,
    access: `${register}access/`,
    home: base,
    support: base,
    terms: base,
    eventTypes: `${base}event-types/flat.json`,
    // The Worker serves its own assets (src/api/assets.ts) unless the operator names others (ASSETS_URL).
    assets: { definitions: config.assetsUrl ?? `${base}assets/index.json` },
    // `mfa`: two-factor sign-in with TOTP on the `U/mfa/*` routes (src/methods/mfa.ts).
    features: { noHF: true, contentQueries: false, tags: true, permissionNarrowing: true, mfa: true },
  };
}

export const serviceMethods = [
  publicMethod({
    id: 'service.info',
    params: v.strictObject({}),
    batch: false,
    handler: async (ctx) => ok(serviceInfo(ctx)),
  }),
  // `GET U/service/info`: same answer, but only for an existing user (clients use it to test existence).
  userMethod({
    id: 'service.userInfo',
    params: v.strictObject({}),
    batch: false,
    handler: async (ctx) => ok(serviceInfo(ctx)),
  }),
];
