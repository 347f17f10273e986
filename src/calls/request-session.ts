/**
 * The D1 session of one request on its account's database (docs/decisions/025-d1-sessions.md): opened where
 * the request's first query should go, moved to the primary when a replica's answer cannot be trusted (a
 * refusal, an authorization change the replica may not have seen), and the source of the request's bookmark.
 */
import type { Env } from '../env';
import type { Db } from '../storage/db';
import { sessionFor } from '../storage/directory';
import { FIRST_PRIMARY, laterBookmark, type AccountSession, type SessionStart } from '../storage/sessions';

export class RequestSession {
  private current: AccountSession;
  /** The latest bookmark of the sessions this request left for the primary. */
  private left: string | null = null;

  constructor(
    private readonly env: Env,
    private readonly username: string,
    start: SessionStart,
  ) {
    this.current = sessionFor(env, username, start);
  }

  get db(): Db {
    return this.current.db;
  }

  /** Whether a read of this session may have come from a replica behind the primary. */
  get mayLag(): boolean {
    return this.current.start !== FIRST_PRIMARY;
  }

  /** Every later query of the request goes to the primary first. */
  toPrimary(): void {
    if (!this.mayLag) return;
    this.left = laterBookmark(this.left, this.current.bookmark());
    this.current = sessionFor(this.env, this.username, FIRST_PRIMARY);
  }

  /** The latest database state the request has seen (its `Pryv-Bookmark`), or null before any query. */
  bookmark(): string | null {
    return laterBookmark(this.left, this.current.bookmark());
  }
}
