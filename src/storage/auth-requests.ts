/**
 * Where app authorization requests live (§5.8): one Durable Object per request (`AuthRequestObject`), addressed
 * by its key (docs/decisions/020-auth-requests-in-durable-objects.md). The shapes it stores and its stub.
 */
import type { Env } from '../env';

export type AuthRequestStatus = 'NEED_SIGNIN' | 'ACCEPTED' | 'REFUSED' | 'ERROR';

/** What the app asked, as stored: the poll's NEED_SIGNIN body comes from it. */
export interface AuthRequestAsked {
  requestingAppId: string;
  /** As sent (`defaultName` kept): the consent page and `accesses.checkApp` need the names. */
  requestedPermissions: Record<string, unknown>[];
  lang: string;
  returnURL: string | null;
  clientData: Record<string, unknown> | null;
  deviceName?: string | null;
  expireAfter?: number;
  referer?: string | null;
  authUrl: string;
  poll: string;
}

/** The answer: an accepted request keeps the app token sealed (TOKEN_KEY), never raw. */
export type AuthRequestAnswer =
  | { status: 'ACCEPTED'; username: string; tokenSealed: string; userRoot: string }
  | { status: 'REFUSED' | 'ERROR'; reasonID: string; message: string };

export interface AuthRequestRecord {
  key: string;
  /** Seconds. */
  created: number;
  expires: number;
  asked: AuthRequestAsked;
  answer: AuthRequestAnswer | null;
}

/** One form the consent page rendered: single use, found by the hash of its random token. */
export interface ConsentForm {
  hash: string;
  /** Which step the form belongs to (sign-in, second factor, consent). */
  step: string;
  /** What the step carries to the next (sealed secrets only). */
  data: Record<string, string>;
  expires: number;
}

/** `done`: this answer was stored; `answered`: an earlier one stands; `unknown`: no such live request. */
export interface AnswerOutcome {
  outcome: 'unknown' | 'answered' | 'done';
  record: AuthRequestRecord | null;
}

/** The object's calls, as its callers see them (RPC's inferred stub types cannot carry free JSON). */
export interface AuthRequestCalls {
  open(record: AuthRequestRecord): Promise<void>;
  read(now: number): Promise<AuthRequestRecord | null>;
  answer(answer: AuthRequestAnswer, now: number): Promise<AnswerOutcome>;
  issueForm(form: ConsentForm, now: number): Promise<boolean>;
  takeForm(hash: string, now: number): Promise<ConsentForm | null>;
}

/** The request's object. Keys are random: a key never names two requests. */
export function authRequestObject(env: Env, key: string): AuthRequestCalls {
  const ns = env.AUTH_REQUESTS;
  // The stub forwards exactly the calls the class implements (checked by its `implements`).
  return ns.get(ns.idFromName(key)) as unknown as AuthRequestCalls;
}
