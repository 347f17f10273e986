/**
 * The D1 session of one request on its account's shard (docs/decisions/025-d1-sessions.md): opened where
 * the request's first query should go, moved to the primary when a replica's answer cannot be trusted (a
 * refusal, an authorization change the replica may not have seen), moved to another shard when the directory
 * says the account lives there now (decision 028), and the source of the request's bookmark. Without read
 * replication it opens no session at all: every query goes to the primary and there is no bookmark (decision 039).
 */
import type { Db } from '../storage/db';
import type { Shard } from '../storage/directory';
import { FIRST_PRIMARY, laterBookmark, openSession, primaryHandle, type AccountSession, type SessionStart } from '../storage/sessions';

export class RequestSession {
  private current: AccountSession;
  /** The latest bookmark of the sessions this request left for the primary (of the same shard). */
  private left: string | null = null;

  constructor(
    private shardNow: Shard,
    start: SessionStart,
    /** Whether the shards have read replicas, so that sessions and bookmarks mean something. */
    readonly replicated: boolean,
  ) {
    this.current = this.open(shardNow, start);
  }

  private open(shard: Shard, start: SessionStart): AccountSession {
    return this.replicated ? openSession(shard.d1, start) : primaryHandle(shard.db);
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
    this.current = this.open(this.shardNow, FIRST_PRIMARY);
  }

  /**
   * The account lives on another shard (it was moved): every later query goes to that shard's primary. Bookmarks
   * of the old shard mean nothing there and are dropped.
   */
  moveTo(shard: Shard): void {
    this.shardNow = shard;
    this.left = null;
    this.current = this.open(shard, FIRST_PRIMARY);
  }

  /** The latest database state the request has seen (its `Pryv-Bookmark`), or null before any query. */
  bookmark(): string | null {
    return laterBookmark(this.left, this.current.bookmark());
  }
}
