/**
 * The `streams` parameter of events.get (§6.2): parsing and validity (400 `invalid-request-structure`),
 * references (400 `unknown-referenced-resource`), permissions (403) and expansion into stream id sets.
 */
import { err } from '../core/errors';
import { parseJsonInput } from '../core/json-input';
import { canRead } from '../auth/event-visibility';
import type { Permissions } from '../core/permissions';
import type { CompiledStreamQuery } from '../storage/events-query';
import type { StreamTree } from '../storage/stream-tree';

export interface StreamsQuery {
  any: string[];
  all?: string[];
  not?: string[];
}

const bad = (why: string) => err.requestStructure(`Malformed streams query: ${why}.`);
const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function parseQuery(raw: Record<string, unknown>): StreamsQuery {
  for (const key of Object.keys(raw)) if (!['any', 'all', 'not'].includes(key)) throw bad(`unknown key "${key}"`);
  const list = (key: 'any' | 'all' | 'not'): string[] | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((x) => typeof x !== 'string')) throw bad(`"${key}" must be an array of stream ids`);
    if (key !== 'any' && value.includes('*')) throw bad(`"*" is only allowed in "any"`);
    return value as string[];
  };
  const any = list('any');
  if (any === undefined || any.length === 0) throw bad('every query needs a non-empty "any"');
  return { any, all: list('all'), not: list('not') };
}

/**
 * Any accepted form (§6.2, and a JSON string inside batch, §2.8) → a list of queries, OR-ed. A JSON string
 * is read like any JSON input (`maxDepth`, no `__proto__` keys).
 */
export function parseStreamsParam(raw: unknown, maxDepth: number): StreamsQuery[] {
  if (raw === undefined) return [{ any: ['*'] }];
  if (typeof raw === 'string') {
    const text = raw.trimStart();
    if (text.startsWith('{') || text.startsWith('[')) {
      const parsed = parseJsonInput(raw, { maxDepth, pathPrefix: 'streams', invalidMessage: 'The "streams" parameter is not valid JSON.' });
      return parseStreamsParam(parsed, maxDepth);
    }
    return [{ any: [raw] }];
  }
  if (isPlainObject(raw)) return [parseQuery(raw)];
  if (!Array.isArray(raw)) throw bad('expected ids, a query or an array of queries');
  if (raw.length === 0) throw bad('the array is empty');
  if (raw.every((x) => typeof x === 'string')) return [{ any: raw as string[] }];
  if (raw.every(isPlainObject)) return (raw as Record<string, unknown>[]).map(parseQuery);
  throw bad('ids and queries cannot be mixed, and ids must be strings');
}

const baseId = (id: string) => (id.endsWith('!') ? id.slice(0, -1) : id);

/**
 * Checks references and permissions, then expands each query into id sets (§6.2, §6.4): `any` and `all` keep
 * readable streams and, with state=default, drop streams in trash; `not` keeps everything. Queries that can
 * match nothing are dropped.
 */
export function compileStreamsQuery(
  queries: StreamsQuery[],
  tree: StreamTree,
  perms: Permissions,
  state: 'default' | 'trashed' | 'all',
): CompiledStreamQuery[] {
  const mentioned = queries.flatMap((q) => [...q.any, ...(q.all ?? []), ...(q.not ?? [])]);
  const unknown = [...new Set(mentioned.filter((id) => id !== '*' && !tree.has(baseId(id))))];
  if (unknown.length > 0) throw err.unknownReferenced(`Unknown stream(s): ${unknown.join(', ')}.`, { streams: unknown });
  const readable = (id: string) => perms.isPersonal || canRead(perms.effective(id, tree.parentOf)?.level);
  for (const id of queries.flatMap((q) => [...q.any, ...(q.all ?? [])])) {
    if (id !== '*' && !readable(baseId(id))) throw err.forbidden(`The access cannot read stream "${baseId(id)}".`);
  }
  const keep = (id: string) => readable(id) && (state !== 'default' || !tree.inTrash(id));
  const expandPositive = (id: string): string[] => {
    if (id === '*') return [...tree.byId.keys()].filter(keep);
    if (id.endsWith('!')) return [baseId(id)].filter(keep);
    return tree.subtree(id).filter(keep);
  };
  const expandNot = (id: string): string[] => (id.endsWith('!') ? [baseId(id)] : tree.subtree(id));
  const out: CompiledStreamQuery[] = [];
  for (const q of queries) {
    const any = [...new Set(q.any.flatMap(expandPositive))];
    const all = (q.all ?? []).map((id) => expandPositive(id));
    if (any.length === 0 || all.some((set) => set.length === 0)) continue;
    out.push({ any, all, not: [...new Set((q.not ?? []).flatMap(expandNot))] });
  }
  return out;
}
