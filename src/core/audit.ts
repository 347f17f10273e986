/**
 * The audit hook's shapes: every call that reached the call path, successful or not, becomes one record at
 * one point. A request's records are handed over together when it ends; the sink decides what to keep
 * (§5.13: calls made with a resolved access) and where (docs/decisions/018-audit-storage.md).
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

/** A record as it is stored: one made under a resolved access, with its own id (cuid2). */
export interface AuditEntry {
  id: string;
  userId: string;
  username: string;
  accessId: string;
  methodId: string;
  time: number;
  source: { name: 'http' | 'websocket'; ip: string };
  query: Record<string, unknown>;
  error?: { id: string; message: string };
}

export interface AuditSink {
  /** The records of one request, in call order (`callBatch` itself is never one). */
  record(records: readonly AuditRecord[], waitUntil: (p: Promise<unknown>) => void): void;
}

/** The body of one audit queue message: records of one account, in call order. */
export interface AuditMessage {
  records: AuditEntry[];
}
