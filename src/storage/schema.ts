/**
 * The whole D1 schema, in one place. Migrations in `migrations/` are generated from it by drizzle-kit
 * (`npm run db:generate`). Timestamps are float seconds, as on the wire; JSON columns hold compact JSON text.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** The tracking fields of §4.1 (events, streams, accesses): timestamps and the access ids that made them. */
const tracking = () => ({
  created: real('created').notNull(),
  createdBy: text('created_by').notNull(),
  modified: real('modified').notNull(),
  modifiedBy: text('modified_by').notNull(),
});

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    language: text('language').notNull().default('en'),
    referer: text('referer'),
    created: real('created').notNull(),
    /** Bumped on every stream change: the key of the per-isolate stream-tree cache. */
    streamsVersion: integer('streams_version').notNull().default(0),
    /**
     * `storageUsed` (§4.10), in bytes, kept by SQL triggers on `events` (migrations/0005): every insert, update
     * and delete of an event row adjusts them in the same statement, so they never need a scan of the account.
     */
    storageDbBytes: integer('storage_db_bytes').notNull().default(0),
    storageFilesBytes: integer('storage_files_bytes').notNull().default(0),
    /**
     * Set while `account:move` copies the account to another shard (docs/decisions/028-shards-and-directory.md):
     * `moving` refuses writes (503 `account-moving`), `moved` refuses everything here (the directory names the
     * new shard). The request guard reads it in the statement it runs anyway.
     */
    moving: text('moving'),
    /**
     * 1 while the account's Durable Object may hold an open real-time socket (docs/decisions/032-realtime-sockets-flag.md):
     * the object sets it before accepting its first socket and clears it after its last one closed. The request
     * guard reads it, so a write of an account without sockets skips forwarding its notice to the object.
     */
    realtimeSockets: integer('realtime_sockets').notNull().default(0),
  },
  (t) => [uniqueIndex('users_username').on(t.username), uniqueIndex('users_email').on(t.email)],
);

export const accesses = sqliteTable(
  'accesses',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    /** SHA-256 (hex) of the token; null once a personal session has ended. */
    tokenHash: text('token_hash'),
    /** The token sealed with AES-GCM under the TOKEN_KEY secret: `accesses.get` must return it. */
    tokenSealed: text('token_sealed'),
    type: text('type', { enum: ['personal', 'app', 'shared'] }).notNull(),
    name: text('name').notNull(),
    deviceName: text('device_name'),
    /** JSON array of stream and feature permissions. */
    permissions: text('permissions').notNull().default('[]'),
    expires: real('expires'),
    /** Personal accesses: end of the sliding session. */
    sessionExpires: real('session_expires'),
    lastUsed: real('last_used'),
    clientData: text('client_data'),
    /** Id of the access that created this one (app → shared cascade). */
    parentId: text('parent_id'),
    ...tracking(),
    deleted: real('deleted'),
    /** Row revision, bumped by every update: writes are guarded on the revision they read (no lost update). */
    rev: integer('rev').notNull().default(0),
    /** Version of the access (§5.7.6): 0 until the first accesses.update; the wire id is `<id>:<serial>` after. */
    serial: integer('serial').notNull().default(0),
  },
  (t) => [
    uniqueIndex('accesses_token').on(t.userId, t.tokenHash).where(sql`deleted IS NULL AND token_hash IS NOT NULL`),
    // One live access per (type, name, deviceName): a missing deviceName counts as one value, not as distinct NULLs.
    uniqueIndex('accesses_live_name')
      .on(t.userId, t.type, t.name, sql`coalesce(${t.deviceName}, '')`)
      .where(sql`deleted IS NULL`),
    index('accesses_user_name').on(t.userId, t.type, t.name),
    index('accesses_parent').on(t.userId, t.parentId),
  ],
);

export const streams = sqliteTable(
  'streams',
  {
    userId: text('user_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    parentId: text('parent_id'),
    clientData: text('client_data'),
    trashed: integer('trashed', { mode: 'boolean' }).notNull().default(false),
    ...tracking(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.id] }), index('streams_parent').on(t.userId, t.parentId)],
);

export const streamDeletions = sqliteTable(
  'stream_deletions',
  {
    userId: text('user_id').notNull(),
    id: text('id').notNull(),
    deleted: real('deleted').notNull(),
  },
  (t) => [index('stream_deletions_user').on(t.userId, t.deleted)],
);

export const events = sqliteTable(
  'events',
  {
    userId: text('user_id').notNull(),
    id: text('id').notNull(),
    /** JSON array of stream ids, in the client's order. */
    streamIds: text('stream_ids').notNull(),
    time: real('time').notNull(),
    /** null: point event (duration absent or 0 is normalised to absent); see `running`. */
    duration: real('duration'),
    running: integer('running', { mode: 'boolean' }).notNull().default(false),
    /** time + duration for periods, time for points, null while running: the overlap rule's `e`. */
    endTime: real('end_time'),
    type: text('type').notNull(),
    content: text('content'),
    /** JSON array of tags (always present, `[]` when none). */
    tags: text('tags').notNull().default('[]'),
    description: text('description'),
    clientData: text('client_data'),
    trashed: integer('trashed', { mode: 'boolean' }).notNull().default(false),
    /** JSON array of the event's files `{id, fileName, type, size, integrity, key}` (key: the R2 object), or null. */
    attachments: text('attachments'),
    ...tracking(),
    /** Tombstone: set when deleted for good; the id stays blocked forever. */
    deleted: real('deleted'),
    /** Row revision, bumped by every update: writes are guarded on the revision they read (no lost update). */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    // (time, id) is events.get's sort order: the latest N come straight off this index, whatever the account's size.
    // The columns after (time, id) are those events.get filters on while it walks this index (state, running,
    // span, type, streams, tags): SQLite tests them on the index entry and reads the row only for a match, so a
    // selective filter (a narrowed access, tags) does not read every row it passes over (decision 035). `deleted`
    // (always null here, one byte) lets EXPLAIN show such a walk as covering, which the plan tests check.
    index('events_time')
      .on(t.userId, t.time, t.id, t.deleted, t.trashed, t.running, t.endTime, t.type, t.streamIds, t.tags)
      .where(sql`deleted IS NULL`),
    // One exact type in (time, id) order: a rare type's latest N without walking the others (decision 029).
    // Not partial, unlike events_time: the per-type counts are then an index-only scan (tombstones included).
    index('events_type').on(t.userId, t.type, t.time, t.id),
    index('events_modified').on(t.userId, t.modified),
    index('events_deleted').on(t.userId, t.deleted).where(sql`deleted IS NOT NULL`),
  ],
);

/** One row per (event, stream): lets events.get find the latest events of a stream subtree by index. */
export const eventStreams = sqliteTable(
  'event_streams',
  {
    userId: text('user_id').notNull(),
    streamId: text('stream_id').notNull(),
    eventId: text('event_id').notNull(),
    time: real('time').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.streamId, t.eventId] }),
    index('event_streams_time').on(t.userId, t.streamId, t.time),
    // No index by event alone: an event's links are found by its stream ids, which its row holds (decision 038).
  ],
);

export const followedSlices = sqliteTable(
  'followed_slices',
  {
    userId: text('user_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    url: text('url').notNull(),
    accessToken: text('access_token').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.id] }), uniqueIndex('followed_slices_name').on(t.userId, t.name)],
);

/**
 * Short share links (`/s/{code}`) of shared accesses. Only a SHA-256 of the code is stored; a link lives
 * exactly as long as its access (the resolver joins the access and requires it live).
 */
export const shareLinks = sqliteTable(
  'share_links',
  {
    codeHash: text('code_hash').primaryKey(),
    userId: text('user_id').notNull(),
    accessId: text('access_id').notNull(),
    created: real('created').notNull(),
  },
  (t) => [index('share_links_access').on(t.accessId)],
);

/**
 * R2 prefixes that may hold bytes no live event references: the journal keeping D1 and R2 consistent
 * (docs/decisions/017-attachments-on-r2.md). An upload journals its prefix (`{userId}/{uploadId}/`) before its
 * first byte goes to R2, and the D1 batch that attaches the files deletes the row. A batch that drops
 * references (attachment or event deleted, account deleted) adds the dropped keys. Once that batch committed,
 * the request deletes the blobs and then the rows; whatever it could not finish, the sweeper does once `due`.
 */
export const blobCleanup = sqliteTable(
  'blob_cleanup',
  {
    prefix: text('prefix').primaryKey(),
    userId: text('user_id').notNull(),
    /** When the sweeper may delete the prefix: now for dropped references, after a grace period for uploads. */
    due: real('due').notNull(),
  },
  (t) => [index('blob_cleanup_due').on(t.due)],
);

/**
 * Earlier versions of accesses (§5.7.6): one row per superseded serial, copied from the access row by the same
 * statement batch that updates it. Type, token and creation fields never change, so they are not copied.
 */
export const accessHistory = sqliteTable(
  'access_history',
  {
    userId: text('user_id').notNull(),
    accessId: text('access_id').notNull(),
    serial: integer('serial').notNull(),
    name: text('name').notNull(),
    deviceName: text('device_name'),
    permissions: text('permissions').notNull(),
    expires: real('expires'),
    clientData: text('client_data'),
    modified: real('modified').notNull(),
    modifiedBy: text('modified_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.accessId, t.serial] })],
);

/** Profile sets (§4.9): `public`, `private`, and `app:{access name}`; `data` is a JSON object. */
export const profiles = sqliteTable(
  'profiles',
  {
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    data: text('data').notNull(),
    /** Row revision: a merge is written only onto the revision it was computed from. */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.name] })],
);

/**
 * Webhooks (§4.8) and their delivery state. Delivery is driven by two single-use tokens (decision 019):
 * `schedule_token` names the one queued delivery of the `pending` messages, `inflight_token` the delivery
 * under way of `inflight` ones, so a re-delivered queue message is recognised and counted once.
 */
export const webhooks = sqliteTable(
  'webhooks',
  {
    userId: text('user_id').notNull(),
    id: text('id').notNull(),
    accessId: text('access_id').notNull(),
    url: text('url').notNull(),
    /** The signing secret, sealed like tokens (returned once, at creation). */
    secretSealed: text('secret_sealed').notNull(),
    state: text('state', { enum: ['active', 'inactive'] }).notNull().default('active'),
    currentRetries: integer('current_retries').notNull().default(0),
    runCount: integer('run_count').notNull().default(0),
    failCount: integer('fail_count').notNull().default(0),
    /** JSON array of `{status, timestamp}`, oldest first, at most 20 (the wire form is newest first). */
    runs: text('runs').notNull().default('[]'),
    /** JSON array of message names waiting for the next delivery. */
    pending: text('pending').notNull().default('[]'),
    scheduleToken: text('schedule_token'),
    /** JSON array of the message names of the delivery under way. */
    inflight: text('inflight').notNull().default('[]'),
    inflightToken: text('inflight_token'),
    /** Earliest time of the next POST (float seconds): throttling's single place of truth. */
    nextRunAt: real('next_run_at').notNull().default(0),
    ...tracking(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    uniqueIndex('webhooks_access_url').on(t.userId, t.accessId, t.url),
    index('webhooks_state').on(t.userId, t.state),
  ],
);

/**
 * Audit records (§5.13), one hash chain per account (docs/decisions/018-audit-storage.md). `seq` numbers an
 * account's records from 1 without gaps; `prev_hash` is the SHA-256 of the previous record's canonical form
 * (the anchor's hash for the first one kept). Written only by the audit queue's consumer.
 */
export const auditRecords = sqliteTable(
  'audit_records',
  {
    userId: text('user_id').notNull(),
    seq: integer('seq').notNull(),
    /** cuid2 given when the call ended; with `time`, unique per account, so a re-delivered message is not stored twice. */
    id: text('id').notNull(),
    time: real('time').notNull(),
    accessId: text('access_id').notNull(),
    methodId: text('method_id').notNull(),
    sourceName: text('source_name').notNull(),
    sourceIp: text('source_ip').notNull(),
    /** JSON object: the call's query-string and path params, never a body. */
    query: text('query').notNull(),
    errorId: text('error_id'),
    errorMessage: text('error_message'),
    prevHash: text('prev_hash').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.seq] }),
    // events.get's order (time, id), whole store or one access or one action. Unique: a record (its call's time and
    // random id) is stored once; appends land at the recent end, where an index on the id alone took a random
    // page per record (decision 037).
    uniqueIndex('audit_records_time').on(t.userId, t.time, t.id),
    index('audit_records_access').on(t.userId, t.accessId, t.time),
    index('audit_records_method').on(t.userId, t.methodId, t.time),
  ],
);

/**
 * Each account's chain head (last seq and its record's hash) and anchor (where verification starts: seq 0
 * and the zero hash, or the signed checkpoint retention cut at). Appends are guarded on `seq`.
 */
export const auditHeads = sqliteTable('audit_heads', {
  userId: text('user_id').primaryKey(),
  seq: integer('seq').notNull(),
  hash: text('hash').notNull(),
  anchorSeq: integer('anchor_seq').notNull().default(0),
  anchorHash: text('anchor_hash').notNull(),
});

/**
 * Signed checkpoints of chain heads (Ed25519 under AUDIT_SIGNING_KEY): the D1 copy the cron's queries join.
 * Verification reads the copy kept apart in R2 (src/audit/checkpoint-store.ts).
 */
export const auditCheckpoints = sqliteTable(
  'audit_checkpoints',
  {
    userId: text('user_id').notNull(),
    seq: integer('seq').notNull(),
    hash: text('hash').notNull(),
    /** When it was signed (float seconds). */
    signed: real('signed').notNull(),
    /** First 16 hex digits of the SHA-256 of the (base64) public key that verifies `signature`. */
    keyId: text('key_id').notNull(),
    /** Base64 Ed25519 signature of the checkpoint's canonical form. */
    signature: text('signature').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.seq] })],
);

/**
 * A confirmed TOTP enrolment (two-factor sign-in), one per account. The secret is sealed with TOKEN_KEY (the
 * server must compute codes from it, so it cannot be hashed). `lastUsedStep` is the time step of the last code
 * accepted: a guarded update only moves it forward, so a code is never accepted twice.
 */
export const mfaEnrolments = sqliteTable('mfa_enrolments', {
  userId: text('user_id').primaryKey(),
  secretSealed: text('secret_sealed').notNull(),
  lastUsedStep: integer('last_used_step').notNull(),
  created: real('created').notNull(),
});

/** Single-use recovery codes of an enrolment, hashed; a code is spent by deleting its row. */
export const mfaRecoveryCodes = sqliteTable(
  'mfa_recovery_codes',
  {
    userId: text('user_id').notNull(),
    codeHash: text('code_hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

/**
 * Pending two-factor steps, keyed by the hash of their `mfaToken`: an enrolment awaiting `mfa.confirm` (with the
 * new sealed secret), or a sign-in awaiting `mfa.verify` (with the app that asked for the session).
 */
export const mfaSessions = sqliteTable(
  'mfa_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id').notNull(),
    kind: text('kind', { enum: ['enrol', 'login'] }).notNull(),
    secretSealed: text('secret_sealed'),
    appId: text('app_id'),
    /** Codes tried with this token so far: the session ends at its ceiling. */
    attempts: integer('attempts').notNull().default(0),
    expires: real('expires').notNull(),
  },
  (t) => [index('mfa_sessions_user').on(t.userId)],
);

/**
 * Fixed-window attempt counters (failed sign-ins per account and per client IP, registrations per IP): the
 * authority of the abuse limits (docs/decisions/021-sign-in-surface.md). One row per key, upserted atomically.
 */
export const attemptCounters = sqliteTable('attempt_counters', {
  key: text('key').primaryKey(),
  windowStart: real('window_start').notNull(),
  count: integer('count').notNull(),
});

/** Password reset tokens, hashed, single-use (spent by deleting the row), valid until `expires`. */
export const passwordResets = sqliteTable(
  'password_resets',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id').notNull(),
    expires: real('expires').notNull(),
  },
  (t) => [index('password_resets_user').on(t.userId)],
);

/** Local runs only (MAIL_OUTBOX=on, no `send_email` binding): the mails the Worker would have sent, for tests. */
export const mailOutbox = sqliteTable('mail_outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  recipient: text('recipient').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  created: real('created').notNull(),
});

export type UserRow = typeof users.$inferSelect;
export type AccessRow = typeof accesses.$inferSelect;
export type StreamRow = typeof streams.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type ShareLinkRow = typeof shareLinks.$inferSelect;
export type AccessHistoryRow = typeof accessHistory.$inferSelect;
export type ProfileRow = typeof profiles.$inferSelect;
export type WebhookRow = typeof webhooks.$inferSelect;
export type AuditRecordRow = typeof auditRecords.$inferSelect;
export type AuditHeadRow = typeof auditHeads.$inferSelect;
export type AuditCheckpointRow = typeof auditCheckpoints.$inferSelect;
export type MfaEnrolmentRow = typeof mfaEnrolments.$inferSelect;
export type MfaSessionRow = typeof mfaSessions.$inferSelect;
