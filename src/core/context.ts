/**
 * What a method call knows: the request, the account, the access, and the means to reach D1. Core declares
 * the shapes; the storage layer fills in its own types through `StorageTypes` (see below), so core imports
 * nothing from the layers above it.
 */
import type { BatchItem } from 'drizzle-orm/batch';
import type { Config } from '../config';
import type { Env } from '../env';
import type { AuditSink } from './audit';
import type { Authority } from './authority';
import type { ChangeKind, Notifier } from './notices';
import type { Permissions } from './permissions';
import type { FileBody } from './uploads';

/**
 * The storage layer's types, declared here empty and completed by `src/storage/db.ts` through declaration
 * merging (`db`, `user`, `access`): core stays below storage in the import graph, and contexts stay typed.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface StorageTypes {}
type Storage<K extends string, Fallback> = StorageTypes extends Record<K, infer T> ? T : Fallback;
export type DbHandle = Storage<'db', never>;
export type UserRecord = Storage<'user', never>;
export type AccessRecord = Storage<'access', never>;

/** What every method call knows about where it came from. */
export interface RequestInfo {
  /** Public base URL ending in "/" (operator setting, else the request's own origin). */
  baseUrl: string;
  /** Host the request was addressed to. */
  host: string;
  /** `Origin`, else `Referer`, else "" — as sent (§2.5). */
  origin: string;
  /** Client address as the platform reports it (audit's `source.ip`); "" when unknown. */
  ip: string;
  /** Schedules work after the response (coalesced writes such as `lastUsed`). */
  waitUntil: (promise: Promise<unknown>) => void;
}

/** Calls that need no account (service info, registration). No D1 handle: cross-user data goes through the directory. */
export interface PublicContext {
  env: Env;
  config: Config;
  request: RequestInfo;
  /** Request time, float seconds. */
  now: number;
  /** Where the call path sends the request's merged change notice. */
  notifier: Notifier;
  /** Where the call path sends one record per call. */
  audit: AuditSink;
  /**
   * The accounts' authorization authority (decision 026). Without one, every request's D1 session starts on the
   * primary: a replica is only trusted to judge an access when the authority says it is fresh enough.
   */
  authority?: Authority;
}

/** Calls addressed to an existing account but taking no token (auth.login). */
export interface UserContext extends PublicContext {
  /** The D1 database that holds this account (`dbFor`). */
  db: DbHandle;
  user: UserRecord;
}

/** One guarded round trip's answer: the user's stream-tree version, then each statement's result. */
export interface GuardedResult<T extends readonly unknown[]> {
  streamsVersion: number;
  results: T;
}

/** Calls authorized by an access token. */
export interface AccessContext extends UserContext {
  access: AccessRecord;
  /** The presented token (needed for `apiEndpoint` and getAccessInfo; never logged or stored raw). */
  token: string;
  permissions: Permissions;
  /**
   * Runs the method's D1 statements in ONE round trip, preceded by the access guard (revocation, expiry and
   * permission changes are checked against D1 there) and returning the user's stream-tree version. Methods do
   * their D1 work through this, ideally with a single call.
   */
  run<T extends readonly BatchItem<'sqlite'>[]>(statements: T): Promise<GuardedResult<{ [K in keyof T]: T[K]['_']['result'] }>>;
  /**
   * Runs another method of the table under this same access, through the call path (authorization, change
   * notices, audit): what `callBatch` is made of. `run`, when given, replaces this context's `run` for that call
   * (callBatch shares one round trip between calls, src/methods/batch-plan.ts).
   */
  callMethod(methodId: string, params: unknown, run?: AccessContext['run']): Promise<MethodResult>;
}

/** A method's answer: the payload keys, in output order, and the HTTP status. */
export interface MethodResult<P extends Payload = Payload> {
  status?: number;
  payload: P;
  /** Changes this call made beyond the ones its method declares (accesses.create creating streams). */
  alsoChanged?: readonly ChangeKind[];
  /** A file to send as the answer instead of the payload (downloads, §5.5). */
  file?: FileBody;
}

/** Result keys to values. A value that is an AsyncIterable is a list produced lazily: HTTP streams it, batch collects it. */
export type Payload = Record<string, unknown>;
