/**
 * audit.verify (`GET U/audit/verify`, personal only): recomputes the account's audit hash chain and reports
 * its first broken link (docs/decisions/018-audit-storage.md). Reading audit events is events.get's job.
 */
import * as v from 'valibot';
import { signingKey } from '../audit/signing';
import { verifyChain } from '../audit/verify';
import { listCheckpoints } from '../audit/checkpoint-store';
import { selectAuditChainPage, selectAuditHead } from '../storage/audit';
import { accessMethod, ok } from './table';

export const auditMethods = [
  accessMethod({
    id: 'audit.verify',
    params: v.strictObject({}),
    who: ['personal'],
    batch: true,
    handler: async (ctx) => {
      const { db, user } = ctx;
      // The checkpoints verification trusts are the copies kept apart from D1 (R2). Read before the head: a
      // head only moves forward, so no checkpoint signed meanwhile can lie past it.
      const checkpoints = await listCheckpoints(ctx.env.ATTACHMENTS, user.id);
      const { results: [heads] } = await ctx.run([selectAuditHead(db, user.id)] as const);
      // Records appended after the head was read are left for the next verification.
      const upTo = heads[0]?.seq ?? Number.MAX_SAFE_INTEGER;
      const page = async (afterSeq: number, limit: number) => (await ctx.run([selectAuditChainPage(db, user.id, afterSeq, upTo, limit)] as const)).results[0];
      const verification = await verifyChain({ head: heads[0], checkpoints, page }, await signingKey(ctx.env.AUDIT_SIGNING_KEY));
      return ok({ verification });
    },
  }),
];
