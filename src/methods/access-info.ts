import * as v from 'valibot';
import { apiEndpoint, userRoot } from '../lib/urls';
import { accessOutput } from './access-output';
import { accessMethod, ok } from './table';

export const accessInfoMethods = [
  accessMethod({
    id: 'getAccessInfo',
    params: v.strictObject({}),
    who: ['personal', 'app', 'shared'],
    batch: true,
    handler: async (ctx) => {
      // No data to read, but the access itself must be confirmed by D1: an empty guarded round trip.
      await ctx.run([]);
      const endpoint = apiEndpoint(userRoot(ctx.config, ctx.request.baseUrl, ctx.user.username), ctx.token);
      return ok({ ...accessOutput(ctx.access, ctx.token, endpoint), user: { username: ctx.user.username } });
    },
  }),
];
