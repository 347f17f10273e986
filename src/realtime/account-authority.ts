/**
 * The account's authorization authority (docs/decisions/026-revocation-with-replicas.md), kept by the account's
 * Durable Object (the Worker reaches it through src/realtime/authority-client.ts) in its transactional storage: the D1 bookmark right after the account's latest authorization
 * change, and the changes announced but not yet settled. A request whose D1 session read from a replica asks
 * it (in parallel with its own D1 round trip) whether that replica was fresh enough to judge the access.
 */
import { PRIMARY_NOW, type Authority, type AuthorityState, type SettledAt } from '../core/authority';
import type { Env } from '../env';
import { sessionFor } from '../storage/directory';
import { FIRST_PRIMARY, laterBookmark } from '../storage/sessions';

/**
 * How long an announced change may stay unsettled (a Worker that died between the write and `settle`): past
 * it, the object settles it itself with the primary's current bookmark, which covers any write that committed.
 * A D1 batch finishes far sooner; until then the account's reads go to the primary, never to a stale replica.
 */
export const UNSETTLED_MS = 30_000;

const STORAGE_KEY = 'authority';

interface AuthorityRecord {
  bookmark: string | null;
  /** Ticket → when it lapses (ms) and the account's username (to reach its database). */
  pending: Record<string, { until: number; username: string }>;
}

const EMPTY: AuthorityRecord = { bookmark: null, pending: {} };

/** The object's side: each method one read-modify-write of its storage (the object runs them one at a time). */
export class AuthorityStore {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly env: Env,
  ) {}

  private async read(): Promise<AuthorityRecord> {
    return (await this.storage.get<AuthorityRecord>(STORAGE_KEY)) ?? EMPTY;
  }

  async announce(username: string): Promise<string> {
    const record = await this.read();
    const ticket = crypto.randomUUID();
    await this.storage.put(STORAGE_KEY, { ...record, pending: { ...record.pending, [ticket]: { until: Date.now() + UNSETTLED_MS, username } } });
    return ticket;
  }

  /** Without a bookmark the ticket stays until it lapses and the primary settles it (see `SettledAt`). */
  async settle(ticket: string, seen: SettledAt): Promise<void> {
    const bookmark = seen === PRIMARY_NOW ? await this.primaryBookmarkOf(ticket) : seen;
    if (bookmark === null) return;
    const record = await this.read();
    const { [ticket]: _settled, ...pending } = record.pending;
    await this.storage.put(STORAGE_KEY, { bookmark: laterBookmark(record.bookmark, bookmark), pending });
  }

  /** The primary's current bookmark for a pending ticket's account (null: no such ticket any more). */
  private async primaryBookmarkOf(ticket: string): Promise<string | null> {
    const username = (await this.read()).pending[ticket]?.username;
    return username === undefined ? null : this.primaryBookmark(username);
  }

  /** The primary's current bookmark for the account's database, which covers every write that committed. */
  private async primaryBookmark(username: string): Promise<string | null> {
    const session = await sessionFor(this.env, username, FIRST_PRIMARY);
    if (!session) return null;
    await session.db.$client.prepare('SELECT 1').first();
    return session.bookmark();
  }

  async state(): Promise<AuthorityState> {
    let record = await this.read();
    const now = Date.now();
    const lapsed = Object.entries(record.pending).filter(([, p]) => p.until <= now);
    if (lapsed.length > 0) {
      // A lapsed change either committed (the primary's bookmark now covers it) or never will.
      const bookmark = await this.primaryBookmark(lapsed[0][1].username);
      // Other calls may have run during the round trip: start again from the stored record.
      record = await this.read();
      const done = new Set(lapsed.map(([ticket]) => ticket));
      const pending = Object.fromEntries(Object.entries(record.pending).filter(([ticket]) => !done.has(ticket)));
      record = { bookmark: laterBookmark(record.bookmark, bookmark), pending };
      await this.storage.put(STORAGE_KEY, record);
    }
    return { bookmark: record.bookmark, pending: Object.keys(record.pending).length > 0 };
  }
}

/** What the account object exposes of its store, by RPC. */
export interface AuthorityHolder {
  authorityAnnounce(username: string): Promise<string>;
  authoritySettle(ticket: string, seen: SettledAt): Promise<void>;
  authorityState(): Promise<AuthorityState>;
}

/** The object's own calls (a socket's method call runs inside the object): no RPC to itself. */
export function localAuthority(holder: AuthorityHolder): Authority {
  return {
    announce: ({ username }) => holder.authorityAnnounce(username),
    settle: (_userId, ticket, seen) => holder.authoritySettle(ticket, seen),
    state: () => holder.authorityState(),
  };
}
