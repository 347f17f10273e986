import * as v from 'valibot';
import { err } from '../core/errors';
import { idSchema, nameSchema } from '../core/params';
import type { Permission, StreamPermission } from '../core/permissions';
import { MAX_TAG_LENGTH, MAX_TAGS } from './event-input';

/** Same rules as event tags (§10): trimmed, 1–500 characters, at most 100. */
const tagsSchema = v.pipe(v.array(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(MAX_TAG_LENGTH))), v.minLength(1), v.maxLength(MAX_TAGS));

const streamPermissionSchema = v.strictObject({
  streamId: v.pipe(idSchema, v.minLength(1)),
  level: v.picklist(['none', 'read', 'create-only', 'contribute', 'manage']),
  tags: v.optional(tagsSchema),
  fromTime: v.optional(v.number()),
  toTime: v.optional(v.number()),
  defaultName: v.optional(nameSchema),
  name: v.optional(nameSchema),
});

const featurePermissionSchema = v.strictObject({ feature: v.pipe(v.string(), v.minLength(1)), setting: v.literal('forbidden') });

/** A permission (§4.4). The legacy `{tag, level}` form matches neither branch and is refused. */
export const permissionsSchema = v.array(v.union([streamPermissionSchema, featurePermissionSchema]));

export type PermissionInput = v.InferOutput<typeof permissionsSchema>[number];

export interface NormalizedPermissions {
  /** As stored and emitted: `defaultName` / `name` stripped. */
  list: Permission[];
  /** Stream ids → the name to give them if they must be created (personal callers, §5.7.3). */
  names: Map<string, string>;
}

/** Semantic checks the schema cannot express (§4.4): one entry per stream, narrowing rules, ≥ 1 stream. */
export function normalizePermissions(input: readonly PermissionInput[]): NormalizedPermissions {
  const list: Permission[] = [];
  const names = new Map<string, string>();
  const seen = new Set<string>();
  for (const p of input) {
    if (!('streamId' in p)) {
      list.push({ feature: p.feature, setting: p.setting });
      continue;
    }
    if (seen.has(p.streamId)) throw err.paramsFormat(`Duplicate permission for stream "${p.streamId}".`, { streamId: p.streamId });
    seen.add(p.streamId);
    const narrowed = p.tags !== undefined || p.fromTime !== undefined || p.toTime !== undefined;
    if (narrowed && p.level === 'none') throw err.paramsFormat('Narrowing (tags, fromTime, toTime) cannot be set on level "none".', { streamId: p.streamId });
    if (p.fromTime !== undefined && p.toTime !== undefined && p.fromTime > p.toTime) {
      throw err.paramsFormat('A permission\'s fromTime must not be after its toTime.', { streamId: p.streamId });
    }
    const out: StreamPermission = { streamId: p.streamId, level: p.level };
    if (p.tags !== undefined) out.tags = [...new Set(p.tags)];
    if (p.fromTime !== undefined) out.fromTime = p.fromTime;
    if (p.toTime !== undefined) out.toTime = p.toTime;
    list.push(out);
    const name = p.defaultName ?? p.name;
    if (name !== undefined) names.set(p.streamId, name);
  }
  if (seen.size === 0) throw err.paramsFormat('An access needs at least one stream permission.', [{ code: 'min_length', message: 'At least one stream permission', path: 'permissions' }]);
  return { list, names };
}
