/**
 * A simulated D1 read replica that lags behind: a wrapper of the real (miniflare) D1 binding whose sessions
 * started on a replica (`first-unconstrained`, or a bookmark the copy covers) answer reads from a copy of the
 * database taken at one moment (`takeSnapshot`), in a second real D1 database. Writes, `first-primary`
 * sessions and bookmarks newer than the copy go to the real database, as D1 routes them. Not a mock: every
 * answer comes from a real D1 database, only the routing between the two is the test's.
 */
import { applyD1Migrations, env } from 'cloudflare:test';

/** Tables D1 and its migrations manage themselves: not copied. */
const INTERNAL = /^(_cf_|sqlite_|d1_migrations$)/;

const isWrite = (sql: string) => !/^\s*(select|with)\b/i.test(sql);

/** Round trips the copy answered, and sessions or round trips sent to the primary. */
export interface ReplicaStats {
  replicaQueries: number;
  primaryRoutes: number;
}

/** Copies every row of a shard's primary into the replica database; returns the primary's bookmark at that moment. */
export async function takeSnapshot(primary: D1Database, replica: D1Database = env.DB_LAGGING_REPLICA): Promise<string> {
  await applyD1Migrations(replica, env.TEST_MIGRATIONS);
  // The copy holds rows as they are: the storage-counter triggers must not count them again.
  const triggers = await replica.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).all<{ name: string }>();
  for (const { name } of triggers.results) await replica.prepare(`DROP TRIGGER "${name}"`).run();
  const session = primary.withSession('first-primary');
  const tables = (await session.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all<{ name: string }>()).results
    .map((t) => t.name)
    .filter((name) => !INTERNAL.test(name) && !name.includes('_fts'));
  const statements: D1PreparedStatement[] = [replica.prepare('PRAGMA defer_foreign_keys = on')];
  for (const table of tables) {
    statements.push(replica.prepare(`DELETE FROM "${table}"`));
    const rows = (await session.prepare(`SELECT * FROM "${table}"`).all<Record<string, unknown>>()).results;
    for (const row of rows) {
      const columns = Object.keys(row);
      const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
      statements.push(replica.prepare(sql).bind(...columns.map((c) => row[c])));
    }
  }
  await replica.batch(statements);
  await session.prepare('SELECT 1').first();
  const bookmark = session.getBookmark();
  if (bookmark === null) throw new Error('the primary returned no bookmark');
  return bookmark;
}

/** A statement remembered by SQL and parameters, prepared on whichever database answers it. */
class RoutedStatement {
  constructor(
    private readonly session: ReplicaSession,
    readonly sql: string,
    readonly params: unknown[] = [],
  ) {}
  bind(...params: unknown[]) {
    return new RoutedStatement(this.session, this.sql, params);
  }
  on(d: Pick<D1Database, 'prepare'>): D1PreparedStatement {
    return d.prepare(this.sql).bind(...this.params);
  }
  first(column?: string) {
    return this.session.send([this], (s) => (column === undefined ? s.first() : s.first(column)));
  }
  all() {
    return this.session.send([this], (s) => s.all());
  }
  run() {
    return this.session.send([this], (s) => s.run());
  }
  raw(options?: { columnNames?: boolean }) {
    return this.session.send([this], (s) => s.raw(options as never));
  }
}

/**
 * A session that started on the lagging replica: reads come from the copy while the session has written
 * nothing; its first write goes to the primary and, as D1 keeps a session sequentially consistent, every later
 * query of the session follows it there.
 */
class ReplicaSession {
  private primary: D1DatabaseSession | null = null;

  constructor(
    private readonly real: D1Database,
    private readonly copy: D1Database,
    private readonly copyBookmark: string,
    private readonly stats: ReplicaStats,
  ) {}

  prepare(sql: string) {
    return new RoutedStatement(this, sql);
  }

  async send<T>(statements: RoutedStatement[], run: (s: D1PreparedStatement) => Promise<T>): Promise<T> {
    const [only] = statements;
    return (await this.route(statements, async (target) => [await run(only.on(target))]))[0];
  }

  batch(statements: RoutedStatement[]) {
    return this.route(statements, (target) => target.batch(statements.map((s) => s.on(target))));
  }

  private async route<T>(statements: RoutedStatement[], run: (target: Pick<D1Database, 'prepare' | 'batch'>) => Promise<T[]>): Promise<T[]> {
    if (this.primary === null && !statements.some((s) => isWrite(s.sql))) {
      this.stats.replicaQueries += 1;
      return run(this.copy);
    }
    this.primary ??= this.real.withSession(this.copyBookmark);
    this.stats.primaryRoutes += 1;
    return run(this.primary);
  }

  getBookmark(): string | null {
    return this.primary?.getBookmark() ?? this.copyBookmark;
  }
}

/** A shard (`real`) as seen from a location whose replica holds the copy taken at `copyBookmark`. */
export function laggingDb(copyBookmark: string, stats: ReplicaStats, real: D1Database, copy: D1Database = env.DB_LAGGING_REPLICA): D1Database {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'withSession') {
        return (start?: string) => {
          const fromReplica = start === 'first-unconstrained' || (start !== undefined && start !== 'first-primary' && start.localeCompare(copyBookmark) <= 0);
          if (!fromReplica) {
            stats.primaryRoutes += 1;
            return target.withSession(start);
          }
          return new ReplicaSession(target, copy, copyBookmark, stats);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as Function).bind(target) : value;
    },
  });
}
