/**
 * The `users.realtime_sockets` flag: 1 while the account's Durable Object may hold an open real-time socket.
 * Only that object writes it; the request guard reads it (docs/decisions/032-realtime-sockets-flag.md).
 */
import type { Env } from '../env';
import { locate, relocate, type Shard } from './directory';

/** What a write of the flag found on one shard. */
type FlagOutcome = 'written' | 'not-here';

/**
 * Sets the flag on one shard, in one atomic batch: the update (skipped when the flag already holds the value, so
 * a frozen account whose flag is already right is not refused by 0010's triggers), then a read of what the row
 * now says. `not-here`: the shard has no live row of the account (never had it, or it was moved away). A frozen
 * account whose flag must change makes the batch fail with the `account-moving` abort (decision 028).
 */
async function writeOn(shard: Shard, userId: string, on: boolean): Promise<FlagOutcome> {
  const value = on ? 1 : 0;
  const [, read] = await shard.d1.batch([
    shard.d1.prepare('UPDATE users SET realtime_sockets = ?2 WHERE id = ?1 AND realtime_sockets <> ?2').bind(userId, value),
    shard.d1.prepare('SELECT realtime_sockets AS s, moving FROM users WHERE id = ?1').bind(userId),
  ]);
  const row = read.results[0] as { s: number; moving: string | null } | undefined;
  if (!row || row.moving === 'moved') return 'not-here';
  if (row.s !== value) throw new Error('the real-time sockets flag did not take its value');
  return 'written';
}

/**
 * Sets the account's flag on the shard that holds it. A cached placement may name the shard the account was moved
 * from: when that shard says so (or refuses), the directory is asked once and the write repeated there. Throws when
 * the flag could not be written (the account is frozen for a move, is gone, or D1 failed): the caller must then
 * not count on it.
 */
export async function writeRealtimeSocketsFlag(env: Env, account: { userId: string; username: string }, on: boolean): Promise<void> {
  const shard = await locate(env, account.username);
  if (!shard) throw new Error(`no account "${account.username}"`);
  let failure: unknown = null;
  try {
    if ((await writeOn(shard, account.userId, on)) === 'written') return;
  } catch (e) {
    failure = e;
  }
  const moved = await relocate(env, account.username, shard.name);
  if (!moved) throw failure ?? new Error(`no shard holds account "${account.username}"`);
  if ((await writeOn(moved, account.userId, on)) !== 'written') throw new Error(`no shard holds account "${account.username}"`);
}
