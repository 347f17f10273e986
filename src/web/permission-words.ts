/**
 * What an app asks for, in words a person reads (consent page): each stream by its name (an existing stream's,
 * or the one it will be created with), what the app may do there, any tag or time narrowing, and restrictions.
 */
import type { ConsentText, Lang, RequestedLevel } from './consent-text';

export interface PermissionLine {
  stream: string;
  /** Why the stream is named so: new, or new under another name. */
  note?: string;
  level: string;
  narrowing: string[];
}

export interface PermissionWords {
  lines: PermissionLine[];
  /** Restrictions (feature permissions), each one sentence. */
  notes: string[];
}

const SECONDS_PER_DAY = 86_400;
const SECONDS_PER_HOUR = 3_600;
const SECONDS_PER_MINUTE = 60;

/** A date in the page's language, in UTC (the page has no script to localize it). */
export function formatDate(seconds: number, lang: Lang): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return String(seconds);
  try {
    return `${new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`;
  } catch {
    return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  }
}

/** A duration in whole days, else hours, else minutes (at least one). */
export function formatDuration(seconds: number, text: ConsentText): string {
  if (seconds >= SECONDS_PER_DAY) return text.days(Math.round(seconds / SECONDS_PER_DAY));
  if (seconds >= SECONDS_PER_HOUR) return text.hours(Math.round(seconds / SECONDS_PER_HOUR));
  return text.minutes(Math.max(1, Math.ceil(seconds / SECONDS_PER_MINUTE)));
}

const quoted = (lang: Lang, s: string) => (lang === 'fr' ? `« ${s} »` : lang === 'de' ? `„${s}“` : `“${s}”`);

/**
 * `permissions`: as asked (before sign-in: which streams exist is not known yet, so nothing is called new), or
 * as `accesses.checkApp` checked them (`checked`: existing streams carry `name`, streams to create a free
 * `defaultName`). `asked` gives the names the app wanted, to say when one had to change.
 */
export function describePermissions(
  permissions: readonly Record<string, unknown>[],
  text: ConsentText,
  lang: Lang,
  checked: { asked: ReadonlyMap<string, string> } | null,
): PermissionWords {
  const lines: PermissionLine[] = [];
  const notes: string[] = [];
  for (const p of permissions) {
    if (typeof p.feature === 'string') {
      notes.push(p.feature === 'selfRevoke' ? text.selfRevokeForbidden : text.otherFeature(p.feature));
      continue;
    }
    const streamId = String(p.streamId);
    let stream = streamId;
    let note: string | undefined;
    if (streamId === '*') stream = text.allStreams;
    else if (typeof p.name === 'string') stream = p.name;
    else if (typeof p.defaultName === 'string') {
      stream = p.defaultName;
      const wanted = checked?.asked.get(streamId);
      if (checked) note = wanted !== undefined && wanted !== p.defaultName ? text.renamed(wanted) : text.newStream;
    }
    const narrowing: string[] = [];
    if (Array.isArray(p.tags) && p.tags.length > 0) narrowing.push(text.tagged(p.tags.map((t) => quoted(lang, String(t))).join(', ')));
    if (typeof p.fromTime === 'number') narrowing.push(text.from(formatDate(p.fromTime, lang)));
    if (typeof p.toTime === 'number') narrowing.push(text.until(formatDate(p.toTime, lang)));
    const level = text.levels[p.level as RequestedLevel] ?? String(p.level);
    lines.push({ stream, note, level, narrowing });
  }
  return { lines, notes };
}

/** The names the app asked for new streams, by stream id. */
export function askedNames(permissions: readonly Record<string, unknown>[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const p of permissions) {
    const name = p.defaultName ?? p.name;
    if (typeof p.streamId === 'string' && typeof name === 'string') names.set(p.streamId, name);
  }
  return names;
}
