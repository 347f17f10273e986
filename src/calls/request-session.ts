/**
 * The D1 session of one request on its account's shard (docs/decisions/025-d1-sessions.md): opened where
 * the request's first query should go, moved to the primary when a replica's answer cannot be trusted (a
 * refusal, an authorization change the replica may not have seen), moved to another shard when the directory
 * says the account lives there now (decision 028), and the source of the request's bookmark.
 */
import type { Db } from '../storage/db';
import type { Shard } from '../storage/directory';
import { FIRST_PRIMARY, laterBookmark, openSession, type AccountSession, type SessionStart } from '../storage/sessions';

export class RequestSession {
  private current: AccountSession;
  /** The latest bookmark of the sessions this request left for the primary (of the same shard). */
  private left: string | null = null;

  constructor(
    private shardNow: Shard,
    start: SessionStart,
  ) {
    this.current = openSession(shardNow.d1, start);
  }

  get db(): Db {
    return this.current.db;
  }

  /** The shard this session queries. */
  get shard(): Shard {
    return this.shardNow;
  }

  /** Whether a read of this session may have come from a replica behind the primary. */
  get mayLag(): boolean {
    return this.current.start !== FIRST_PRIMARY;
  }

  /** Every later query of the request goes to the primary first. */
  toPrimary(): void {
    if (!this.mayLag) return;
    this.left = laterBookmark(this.left, this.current.bookmark());
    this.current = openSession(this.shardNow.d1, FIRST_PRIMARY);
  }

  /**
   * The account lives on another shard (it was moved): every later query goes to that shard's primary. Bookmarks
   * of the old shard mean nothing there and are dropped.
   */
  moveTo(shard: Shard): void {
    this.shardNow = shard;
    this.left = null;
    this.current = openSession(shard.d1, FIRST_PRIMARY);
  }

  /** The latest database state the request has seen (its `Pryv-Bookmark`), or null before any query. */
  bookmark(): string | null {
    return laterBookmark(this.left, this.current.bookmark());
  }
}
