/**
 * The change feed's shapes: after a request's writes commit, the call path emits ONE notice per account and
 * request, naming what changed (merged across a batch). Real-time sockets and webhooks subscribe to it.
 */

/** What a successful call changes in the account (§5.14's `eventsChanged`, `streamsChanged`, `accessesChanged`). */
export type ChangeKind = 'events' | 'streams' | 'accesses';

export interface ChangeNotice {
  userId: string;
  username: string;
  /** Distinct kinds, in a fixed order (events, streams, accesses). */
  changes: ChangeKind[];
  /** Float seconds, when the request ended. */
  time: number;
  /**
   * False only when the request's guarded round trips saw no active webhook on the account (read in the
   * same statement as the access check): webhook scheduling then has nothing to do.
   */
  webhooks: boolean;
  /**
   * False only when every guarded round trip of the request read the account's `realtime_sockets` flag as 0:
   * its Durable Object then holds no socket the change could be owed to, and the notice is not forwarded to it
   * (docs/decisions/032-realtime-sockets-flag.md). The isolate's own subscribers receive it all the same.
   */
  sockets: boolean;
}

/** Where notices go. Emitting is synchronous and in memory: subscribers schedule their own I/O with `waitUntil`. */
export interface Notifier {
  notify(notice: ChangeNotice, waitUntil: (p: Promise<unknown>) => void): void;
}

export const CHANGE_KINDS: readonly ChangeKind[] = ['events', 'streams', 'accesses'];
