/**
 * The audit hook's shapes: every call that reached the call path, successful or not, becomes one record at
 * one point. Audit storage subscribes to it; nothing here writes anything.
 */
import type { ErrorBody } from './errors';

export interface AuditRecord {
  /** Float seconds, when the call started. */
  time: number;
  /** The account addressed, when known (a valid, existing username). */
  userId: string | null;
  username: string;
  /** The access the call ran under, when one was resolved. */
  accessId: string | null;
  /** The method id, when the route named one (null for an unknown route). */
  methodId: string | null;
  /** Where the call came from (§5.13 `source`). */
  source: { name: 'http' | 'websocket'; ip: string };
  /** Query-string and path params only: never a body, a password or a token. */
  query: Record<string, unknown>;
  /** Absent on success. */
  error?: Pick<ErrorBody, 'id' | 'message'>;
}

export interface AuditSink {
  record(record: AuditRecord, waitUntil: (p: Promise<unknown>) => void): void;
}
