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
      // The head and the first record in one round trip: without a head, "records exist" must be judged on the
      // same snapshot, or the account's first append landing between two reads looks like a deleted head.
      const { results: [[head], first] } = await ctx.run([
        selectAuditHead(db, user.id),
        selectAuditChainPage(db, user.id, 0, Number.MAX_SAFE_INTEGER, 1),
      ] as const);
      // Records appended after the head was read are left for the next verification.
      const page = async (afterSeq: number, limit: number) =>
        head ? (await ctx.run([selectAuditChainPage(db, user.id, afterSeq, head.seq, limit)] as const)).results[0] : first.slice(0, limit);
      const verification = await verifyChain({ head, checkpoints, page }, await signingKey(ctx.env.AUDIT_SIGNING_KEY));
      return ok({ verification });
    },
  }),
];
