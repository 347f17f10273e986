/** webhooks.get / getOne / create / update / delete / test (§4.8, §5.12), with the access rules of §7.8. */
import * as v from 'valibot';
import { sealToken, unsealToken } from '../auth/crypto';
import { tokenKey } from '../auth/session';
import { newWebhookSecret } from '../auth/webhook-signature';
import type { AccessContext } from '../core/context';
import { err } from '../core/errors';
import { parseUpdate, updateParams } from '../core/params';
import { newId } from '../lib/ids';
import { outboundUrlProblem } from '../lib/outbound-url';
import { isUniqueViolation } from '../storage/d1-errors';
import type { WebhookRow } from '../storage/schema';
import {
  deleteWebhook, insertWebhook, recordTestRun, selectWebhook, selectWebhooks, updateWebhookState,
} from '../storage/webhooks';
import { postMessages } from '../webhooks/post';
import { accessMethod, ok } from './table';
import { wireAccessId } from '../lib/access-refs';

const ALL_TYPES = ['personal', 'app', 'shared'] as const;
/** Longest URL a webhook may have. */
const MAX_URL_LENGTH = 2000;

const READ_ONLY = [
  'id', 'accessId', 'url', 'minIntervalMs', 'maxRetries', 'currentRetries', 'runCount', 'failCount', 'lastRun', 'runs',
  'created', 'createdBy', 'modified', 'modifiedBy',
];

/** The wire form (§4.8): runs newest first; settings from the operator's configuration. */
function webhookOutput(ctx: AccessContext, row: WebhookRow) {
  const runs = (JSON.parse(row.runs) as { status: number; timestamp: number }[]).reverse();
  return {
    id: row.id,
    accessId: row.accessId,
    url: row.url,
    state: row.state,
    minIntervalMs: ctx.config.webhooks.minIntervalMs,
    maxRetries: ctx.config.webhooks.maxRetries,
    currentRetries: row.currentRetries,
    runCount: row.runCount,
    failCount: row.failCount,
    lastRun: runs[0] ?? null,
    runs,
    created: row.created,
    createdBy: row.createdBy,
    modified: row.modified,
    modifiedBy: row.modifiedBy,
  };
}

const unknownWebhook = (id: string) => err.unknownResource(`Unknown webhook "${id}".`);

/** A webhook the caller may manage: any for a personal access, its own for the others (§5.12). */
async function loadManaged(ctx: AccessContext, id: string): Promise<WebhookRow> {
  const { results: [[row]] } = await ctx.run([selectWebhook(ctx.db, ctx.user.id, id)] as const);
  if (!row) throw unknownWebhook(id);
  if (!ctx.permissions.isPersonal && row.accessId !== ctx.access.id) throw err.forbidden();
  return row;
}

const urlSchema = v.pipe(
  v.string(),
  v.maxLength(MAX_URL_LENGTH),
  v.check((url) => /^https?:\/\//i.test(url), 'The URL must be http or https.'),
);

export const webhookMethods = [
  accessMethod({
    id: 'webhooks.get',
    params: v.strictObject({}),
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx) => {
      const owner = ctx.permissions.isPersonal ? undefined : ctx.access.id;
      const { results: [rows] } = await ctx.run([selectWebhooks(ctx.db, ctx.user.id, owner)] as const);
      return ok({ webhooks: rows.map((r) => webhookOutput(ctx, r)) });
    },
  }),

  accessMethod({
    id: 'webhooks.getOne',
    params: v.strictObject({ id: v.string() }),
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params) => ok({ webhook: webhookOutput(ctx, await loadManaged(ctx, params.id)) }),
  }),

  accessMethod({
    id: 'webhooks.create',
    params: v.strictObject({ url: urlSchema, state: v.optional(v.picklist(['active', 'inactive'])) }),
    // Personal accesses never create webhooks (§5.12): 403 before anything else.
    who: ['app', 'shared'],
    batch: true,
    handler: async (ctx, params) => {
      const problem = outboundUrlProblem(params.url, ctx.config.webhooks.allowHosts);
      if (problem !== null) {
        throw err.paramsFormat(`The webhook URL cannot be called: ${problem}.`, [{ code: 'url', message: problem, path: 'url' }]);
      }
      const secret = newWebhookSecret();
      const row: WebhookRow = {
        userId: ctx.user.id,
        id: newId(),
        accessId: ctx.access.id,
        url: params.url,
        secretSealed: await sealToken(tokenKey(ctx.env), secret),
        state: params.state ?? 'active',
        currentRetries: 0,
        runCount: 0,
        failCount: 0,
        runs: '[]',
        pending: '[]',
        scheduleToken: null,
        inflight: '[]',
        inflightToken: null,
        nextRunAt: 0,
        created: ctx.now,
        createdBy: wireAccessId(ctx.access),
        modified: ctx.now,
        modifiedBy: wireAccessId(ctx.access),
      };
      try {
        await ctx.run([insertWebhook(ctx.db, row)]);
      } catch (e) {
        if (isUniqueViolation(e, 'webhooks')) throw err.alreadyExists('This access already has a webhook with this URL.', { url: params.url });
        throw e;
      }
      // The signing secret is shown once, here (it is stored sealed).
      return ok({ webhook: { ...webhookOutput(ctx, row), secret } }, 201);
    },
  }),

  accessMethod({
    id: 'webhooks.update',
    params: updateParams,
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params) => {
      const update = parseUpdate(params.update, READ_ONLY, v.strictObject({ state: v.optional(v.picklist(['active', 'inactive'])) }), ctx.config.limits);
      const row = await loadManaged(ctx, params.id);
      if (update.state === undefined) return ok({ webhook: webhookOutput(ctx, row) });
      const { results: [[updated]] } = await ctx.run([updateWebhookState(ctx.db, ctx.user.id, row.id, update.state, ctx.now, wireAccessId(ctx.access))] as const);
      if (!updated) throw unknownWebhook(params.id);
      return ok({ webhook: webhookOutput(ctx, updated) });
    },
  }),

  accessMethod({
    id: 'webhooks.delete',
    params: v.strictObject({ id: v.string() }),
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params) => {
      const row = await loadManaged(ctx, params.id);
      const { results: [deleted] } = await ctx.run([deleteWebhook(ctx.db, ctx.user.id, row.id)] as const);
      if (deleted.length === 0) throw unknownWebhook(params.id);
      return ok({ webhookDeletion: { id: row.id, deleted: ctx.now } });
    },
  }),

  accessMethod({
    id: 'webhooks.test',
    params: v.strictObject({ id: v.string() }),
    who: ALL_TYPES,
    batch: true,
    handler: async (ctx, params) => {
      const row = await loadManaged(ctx, params.id);
      const secret = await unsealToken(tokenKey(ctx.env), row.secretSealed);
      const outcome = secret ? await postMessages(ctx.config, row.url, secret, ['test']) : { status: 0, ok: false };
      const { results: [, [after]] } = await ctx.run([
        recordTestRun(ctx.db, ctx.user.id, row.id, outcome.status, outcome.ok, Date.now() / 1000),
        selectWebhook(ctx.db, ctx.user.id, row.id),
      ] as const);
      if (!outcome.ok) throw err.unknownReferenced('The webhook URL did not accept the test message.', { url: row.url });
      return ok({ webhook: webhookOutput(ctx, after ?? row) });
    },
  }),
];
