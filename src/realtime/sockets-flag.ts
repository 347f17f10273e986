/**
 * Keeps the account's `users.realtime_sockets` flag equal to "this object has an open socket, or is opening one"
 * (docs/decisions/032-realtime-sockets-flag.md). Writes go through one promise chain, and each step writes the
 * state as it is when the step runs, not when it was asked for: an opening racing a close is therefore always
 * followed by a write of 1, never left behind a write of 0.
 */
import type { Env } from '../env';
import { writeRealtimeSocketsFlag } from '../storage/realtime-sockets-flag';

export interface FlagAccount {
  userId: string;
  username: string;
}

export class SocketsFlag {
  private chain: Promise<void> = Promise.resolve();
  /** The value this instance last wrote; null when unknown (a new instance: after a wake, or a failed write). */
  private written: boolean | null = null;

  constructor(
    private readonly env: Env,
    /** Whether the object holds or is opening a socket, read when each write runs. */
    private readonly wanted: () => boolean,
  ) {}

  /**
   * Brings the flag to the current wanted value after every write asked before. Resolves once it holds it;
   * rejects when the write failed (the flag is then unknown, and the next step writes again).
   */
  sync(account: FlagAccount): Promise<void> {
    const step = this.chain.then(async () => {
      const want = this.wanted();
      if (this.written === want) return;
      this.written = null;
      await writeRealtimeSocketsFlag(this.env, account, want);
      this.written = want;
    });
    this.chain = step.catch(() => undefined);
    return step;
  }
}
