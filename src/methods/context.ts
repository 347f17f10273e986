import type { Config } from '../config';
import type { Env } from '../env';
import type { AccessRow, UserRow } from '../storage/schema';
import type { Db } from '../storage/db';
import type { Permissions } from '../auth/permissions';
import type { BatchItem } from 'drizzle-orm/batch';
import type { GuardedResult } from '../auth/request-guard';

/** What every method call knows about where it came from. */
export interface RequestInfo {
  /** Public base URL ending in "/" (operator setting, else the request's own origin). */
  baseUrl: string;
  /** Host the request was addressed to. */
  host: string;
  /** `Origin`, else `Referer`, else "" — as sent (§2.5). */
  origin: string;
  /** Schedules work after the response (coalesced writes such as `lastUsed`). */
  waitUntil: (promise: Promise<unknown>) => void;
}

/** Calls that need no account (service info, registration). */
export interface PublicContext {
  env: Env;
  config: Config;
  db: Db;
  request: RequestInfo;
  /** Request time, float seconds. */
  now: number;
}

/** Calls addressed to an existing account but taking no token (auth.login). */
export interface UserContext extends PublicContext {
  user: UserRow;
}

/** Calls authorized by an access token. */
export interface AccessContext extends UserContext {
  access: AccessRow;
  /** The presented token (needed for `apiEndpoint` and getAccessInfo; never logged or stored raw). */
  token: string;
  permissions: Permissions;
  /**
   * Runs the method's D1 statements in ONE round trip, preceded by the access guard (revocation, expiry and
   * permission changes are checked against D1 there) and returning the user's stream-tree version. Methods do
   * their D1 work through this, ideally with a single call.
   */
  run<T extends readonly BatchItem<'sqlite'>[]>(statements: T): Promise<GuardedResult<{ [K in keyof T]: T[K]['_']['result'] }>>;
}
