/**
 * The account's authorization authority, for reads served by a D1 replica (docs/decisions/026-revocation-with-replicas.md).
 * A replica may not have seen an access's deletion yet; the authority (the account's Durable Object, strongly
 * consistent) knows the latest state of the database a replica must have seen to judge the account's accesses.
 */
export interface AuthorityState {
  /** Bookmark of the database right after the account's latest authorization change (null: none recorded). */
  bookmark: string | null;
  /** An authorization change is in flight (announced, not yet settled): only the primary may judge accesses. */
  pending: boolean;
}

/**
 * Where a change is settled: at the bookmark its request saw last; null when it saw none (its write may still be
 * in flight: the ticket lapses instead); `PRIMARY_NOW` when it opened no D1 session (shards without read
 * replication, decision 039): after the request, the primary's current bookmark covers its change.
 */
export const PRIMARY_NOW = 'primary-now';
export type SettledAt = string | null | typeof PRIMARY_NOW;

export interface Authority {
  /**
   * Called before a call that may end or narrow accesses (delete, update, logout, ending sessions): until it is
   * settled, replica reads of the account are re-run on the primary. Returns the ticket to settle.
   */
  announce(account: { userId: string; username: string }): Promise<string>;
  /** The change committed (or failed): records the bookmark after it, which replicas must have reached. */
  settle(userId: string, ticket: string, seen: SettledAt): Promise<void>;
  state(userId: string): Promise<AuthorityState>;
}
