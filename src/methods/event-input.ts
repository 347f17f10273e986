/** Event fields on input (§4.2, §9.2, §10): schemas, tag and stream-id normalization, type and content checks. */
import * as v from 'valibot';
import { ApiError, err } from '../core/errors';
import { checkEventContent } from '../event-types';
import type { StoredEvent } from '../storage/events';
import { maxJsonBytesOf } from '../core/limits';
import { clientDataSchema, idSchema, timestamp } from '../core/params';
import { utf8Length } from '../lib/utf8';

export const MAX_TAGS = 100;
/** Each tag, once trimmed (§10). */
export const MAX_TAG_LENGTH = 500;
export const MAX_STREAM_IDS = 100;
/** One stored event, serialized (§10). */
export const MAX_EVENT_BYTES = 1024 * 1024;

export const eventIdSchema = v.pipe(
  v.string(),
  v.regex(/^(c[a-z0-9-]{24}|[a-z][a-z0-9]{23})$/, 'An event id is "c" + 24 characters of [a-z0-9-], or a cuid2.'),
);
export const typeSchema = v.pipe(v.string(), v.regex(/^(series:)?[a-z0-9-]+\/[a-z0-9-]+$/, 'The type must be "class/format" in lowercase.'));
const streamIdSchema = v.pipe(idSchema, v.minLength(1));
const tagsSchema = v.pipe(v.array(v.string()), v.maxLength(MAX_TAGS));

/** The fields a client may write, on create and update alike. */
export const writableEventFields = {
  streamIds: v.optional(v.pipe(v.array(streamIdSchema), v.maxLength(MAX_STREAM_IDS))),
  streamId: v.optional(streamIdSchema),
  time: v.optional(timestamp()),
  duration: v.optional(v.nullable(v.pipe(timestamp(), v.minValue(0)))),
  type: v.optional(typeSchema),
  content: v.optional(v.pipe(v.unknown(), maxJsonBytesOf('contentBytes'))),
  tags: v.optional(v.nullable(tagsSchema)),
  description: v.optional(v.nullable(v.string())),
  clientData: v.optional(clientDataSchema),
  trashed: v.optional(v.nullable(v.boolean())),
};

/** Trimmed, 1–500 characters, duplicates removed, at most 100 (§10). */
export function normalizeTags(tags: readonly string[] | null | undefined, path = 'tags'): string[] {
  const out: string[] = [];
  for (const raw of tags ?? []) {
    const tag = raw.trim();
    if (tag.length < 1 || tag.length > MAX_TAG_LENGTH) {
      throw err.paramsFormat('Each tag must be 1 to 500 characters once trimmed.', [
        { code: 'length', message: 'A tag must be 1 to 500 characters once trimmed', path },
      ]);
    }
    if (!out.includes(tag)) out.push(tag);
  }
  return out;
}

/** `streamIds` with the deprecated `streamId` alias (§4.2): duplicates removed, order kept. */
export function resolveStreamIds(streamIds: string[] | undefined, streamId: string | undefined): string[] | undefined {
  if (streamId !== undefined) {
    if (streamIds !== undefined && streamIds[0] !== streamId) {
      throw err.paramsFormat('"streamId" must equal "streamIds[0]" when both are given.', [
        { code: 'custom', message: 'streamId differs from streamIds[0]', path: 'streamId' },
      ]);
    }
    streamIds ??= [streamId];
  }
  return streamIds === undefined ? undefined : [...new Set(streamIds)];
}

export function requireStreamIds(ids: string[] | undefined): string[] {
  if (ids === undefined || ids.length === 0) {
    throw err.paramsFormat('"streamIds" must hold at least one stream id.', [
      { code: 'min_length', message: 'At least one stream id is required', path: 'streamIds' },
    ]);
  }
  return ids;
}

/** §9.2: `series:` types are refused, known types get their content validated (no coercion). */
export function checkTypeAndContent(type: string, content: unknown): void {
  if (type.startsWith('series:')) throw new ApiError('invalid-event-type', 'High-frequency series types are not available.', { type });
  const check = checkEventContent(type, content);
  if (check.known && check.issues.length > 0) throw err.paramsFormat("The event content's format is invalid.", check.issues);
}

/** §10: one stored event is at most 1 MiB serialized. */
export function checkEventSize(e: StoredEvent): void {
  if (utf8Length(JSON.stringify(e)) > MAX_EVENT_BYTES) throw err.tooLarge(MAX_EVENT_BYTES);
}
