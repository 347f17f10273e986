import { env } from 'cloudflare:test';
import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { auditEventsPageSql, retentionCutsSql, storedAuditIdsSql, type AuditFilter } from '../src/storage/audit';
import { anyShard } from './db-fixtures';

const dialect = new SQLiteSyncDialect();

async function plan(query: SQL | string, params: unknown[] = []): Promise<string[]> {
  const q = typeof query === 'string' ? { sql: query, params } : dialect.sqlToQuery(query);
  const res = await anyShard().prepare(`EXPLAIN QUERY PLAN ${q.sql}`).bind(...q.params).all<{ detail: string }>();
  return res.results.map((r) => r.detail);
}

/** A full scan of an audit table (json_each virtual tables aside). */
const fullScans = (lines: string[]) => lines.filter((l) => /^SCAN (r|c|h|audit_\w+)\b/.test(l) && !/USING (COVERING )?INDEX/.test(l));

const base: AuditFilter = { userId: 'u', queries: [{ any: [{ all: true }], all: [], not: [] }], ascending: false };

describe('query plans of the audit store (no full table scan)', () => {
  it('the latest audit events come off the (user, time, id) index with no sort step', async () => {
    const lines = await plan(auditEventsPageSql(base, 20, 0));
    expect(lines.join('\n')).toMatch(/SEARCH r USING INDEX audit_records_time/);
    expect(lines.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });

  // Decision 037: a re-delivery check finds each record by (time, id), at the recent end of the index.
  it('the stored-records check of an append looks each record up by (user, time, id)', async () => {
    const lines = await plan(storedAuditIdsSql('u', [{ time: 1.5, id: 'a' }, { time: 2, id: 'b' }]));
    expect(fullScans(lines), lines.join('\n')).toEqual([]);
    expect(lines.join('\n')).toMatch(/SEARCH r EXISTS USING COVERING INDEX audit_records_time \(user_id=\? AND time=\? AND id=\?\)/);
  });

  it('reads by access, by action, with a time window, types and a cursor keep an indexed search', async () => {
    const filters: AuditFilter[] = [
      { ...base, queries: [{ any: [{ accessId: 'a' }], all: [], not: [] }] },
      { ...base, queries: [{ any: [{ methodId: 'events.get' }], all: [{ accessId: 'a' }], not: [{ methodId: 'x' }] }], ascending: true },
      { ...base, from: 0, to: 100, types: { exact: ['audit-log/pryv-api'], classes: ['audit-log'] }, modifiedSince: 5 },
    ];
    for (const f of filters) {
      const lines = await plan(auditEventsPageSql(f, 1000, 0, { time: 5, id: 'x' }));
      expect(fullScans(lines), lines.join('\n')).toEqual([]);
      expect(lines.join('\n')).toMatch(/SEARCH r USING INDEX audit_records_/);
    }
  });

  it("an append's lookups, the chain pages and the cron's queries are found by key", async () => {
    const statements: [string, unknown[]][] = [
      ['SELECT * FROM audit_records WHERE user_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT 1000', ['u', 0, 10]],
      ['SELECT seq FROM audit_heads WHERE user_id = ?', ['u']],
    ];
    for (const [text, params] of statements) {
      const lines = await plan(text, params);
      expect(fullScans(lines), `${text}\n${lines.join('\n')}`).toEqual([]);
    }
    // The retention query visits every head once (it runs hourly over all accounts), and nothing else in full.
    const cut = await plan(retentionCutsSql(1000, 100));
    expect(cut.filter((l) => /^SCAN/.test(l) && !/^SCAN h\b/.test(l) && !/USING (COVERING )?INDEX/.test(l)), cut.join('\n')).toEqual([]);
  });
});
