/**
 * Statements of the write path whose SQL text is fixed (a created event's row and stream links, the tree-version
 * check, an event's revision guard and rewrite): declared once with `?` placeholders, they carry their text and
 * parameters, and `runBatch` binds them to D1 as they are. That skips Drizzle's query building, which cost about
 * 20 µs of CPU per statement, for every event of a seeding batch (docs/performance.md, "Writes"). They are still
 * ordinary Drizzle statements made of the same text and parameters, so any other runner gets the same query.
 */
import { sql } from 'drizzle-orm';
import type { Db } from './db';

/** A statement text with `?` placeholders, split once where Drizzle's `sql` tag expects its parameters. */
export interface FixedSql {
  text: string;
  strings: TemplateStringsArray;
}

export function fixedSql(text: string): FixedSql {
  const parts = text.split('?');
  return { text, strings: Object.assign(parts, { raw: parts }) as unknown as TemplateStringsArray };
}

const queries = new WeakMap<object, { sql: string; params: unknown[] }>();

function bind(statement: FixedSql, params: unknown[]) {
  if (params.length !== statement.strings.length - 1) throw new Error(`fixed statement: ${params.length} parameters for ${statement.strings.length - 1} placeholders`);
  return sql(statement.strings, ...params);
}

/** A write (`db.run`) of a fixed statement. */
export function runFixed(db: Db, statement: FixedSql, params: unknown[]) {
  const query = db.run(bind(statement, params));
  queries.set(query, { sql: statement.text, params });
  return query;
}

/** A read (`db.all`) of a fixed statement. */
export function allFixed<T>(db: Db, statement: FixedSql, params: unknown[]) {
  const query = db.all<T>(bind(statement, params));
  queries.set(query, { sql: statement.text, params });
  return query;
}

/** The text and parameters of a fixed statement, or undefined for any other. */
export const fixedQuery = (statement: object) => queries.get(statement);
