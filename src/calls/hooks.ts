/**
 * The isolate's change-feed and audit hubs: the call path hands every notice and audit record to them, and
 * whatever consumes them (real-time sockets, webhooks, audit storage, tests) subscribes here. With no
 * subscriber, emitting costs a loop over an empty set.
 */
import type { AuditRecord, AuditSink } from '../core/audit';
import type { ChangeNotice, Notifier } from '../core/notices';

type Listener<T> = (item: T, waitUntil: (p: Promise<unknown>) => void) => void;

class Hub<T> {
  private readonly listeners = new Set<Listener<T>>();

  /** Adds a listener; returns its removal. */
  subscribe(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(item: T, waitUntil: (p: Promise<unknown>) => void): void {
    for (const listener of this.listeners) {
      try {
        listener(item, waitUntil);
      } catch (e) {
        // A subscriber's failure never fails the request that already succeeded.
        console.error('hook listener failed:', e instanceof Error ? e.message : String(e));
      }
    }
  }
}

const notices = new Hub<ChangeNotice>();
const audit = new Hub<AuditRecord>();

export const notifier: Notifier = { notify: (notice, waitUntil) => notices.emit(notice, waitUntil) };
export const auditSink: AuditSink = {
  record: (records, waitUntil) => {
    for (const record of records) audit.emit(record, waitUntil);
  },
};

export const onChangeNotice = (listener: Listener<ChangeNotice>) => notices.subscribe(listener);
export const onAuditRecord = (listener: Listener<AuditRecord>) => audit.subscribe(listener);
