/**
 * Recognising D1's failures, in one place. D1 reports SQLite errors as text (in `message`, sometimes only in
 * `cause`), so every check reads both.
 *
 * Guarded writes abort their whole batch from inside SQL: a guard statement evaluates `abortSql(reason)` when
 * its condition fails, which raises "bad JSON path: 'pryv-abort:{reason}'", and D1 rolls the batch back. The
 * reason comes back in the error text, so each kind of guard is told apart without a second round trip.
 */
import { sql, type SQL } from 'drizzle-orm';

/**
 * Why a guarded batch was aborted: the caller's access, the user's stream tree, the row a write read, an audit
 * chain head, or an upload the write would attach that is no longer journaled (src/storage/blob-journal.ts).
 */
export type AbortReason = 'access-changed' | 'tree-changed' | 'row-changed' | 'head-moved' | 'upload-gone' | 'account-moving' | 'account-moved';

const ABORT_PREFIX = 'pryv-abort:';

/** The SQL expression that aborts the batch with `reason` (for raw prepared statements). */
export const abortExpression = (reason: AbortReason): string => `json_extract('{}', '${ABORT_PREFIX}${reason}')`;

/** The same, as a Drizzle fragment. */
export const abortSql = (reason: AbortReason): SQL => sql.raw(abortExpression(reason));

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return `${e.message} ${String((e as { cause?: unknown }).cause ?? '')}`;
}

/** The guard that aborted this batch, or null when the failure is something else. */
export function abortReason(e: unknown): AbortReason | null {
  const match = new RegExp(`bad JSON path: '${ABORT_PREFIX}([a-z-]+)'`).exec(errorText(e));
  return match ? (match[1] as AbortReason) : null;
}

/**
 * The UNIQUE (or primary key) constraint a write violated, as SQLite names it: "accesses.user_id,
 * accesses.token_hash" for a column index, "index 'accesses_live_name'" for an expression index; else null.
 */
export function violatedUnique(e: unknown): string | null {
  const match = /UNIQUE constraint failed: ([^\n]+?)(?::\s*SQLITE_\w+|\n|$)/i.exec(errorText(e));
  return match ? match[1].trim() : null;
}

/** A UNIQUE constraint refused the write; `table` narrows it to one table's column constraints. */
export function isUniqueViolation(e: unknown, table?: string): boolean {
  const constraint = violatedUnique(e);
  return constraint !== null && (table === undefined || constraint.startsWith(`${table}.`));
}
