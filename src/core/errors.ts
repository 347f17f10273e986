/** The error catalogue of the API contract (§3): ids, HTTP statuses and the exact messages clients compare. */
export type ErrorId =
  | 'invalid-request-structure'
  | 'invalid-parameters-format'
  | 'unknown-referenced-resource'
  | 'invalid-operation'
  | 'invalid-item-id'
  | 'invalid-event-type'
  | 'invitationToken-invalid'
  | 'invalid-access-token'
  | 'invalid-credentials'
  | 'forbidden'
  | 'unknown-resource'
  | 'invalid-method'
  | 'item-already-exists'
  | 'stale-resource'
  | 'removed-method'
  | 'too-many-results'
  | 'payload-too-large'
  | 'unsupported-content-type'
  | 'too-many-attempts'
  | 'unavailable-method'
  | 'unexpected-error'
  | 'api-unavailable'
  | 'account-moving';

/** Each id's HTTP status (`invalid-access-token` is 401 for a missing token, see `err.missingToken`). */
export const ERROR_STATUS: Readonly<Record<ErrorId, number>> = {
  'invalid-request-structure': 400,
  'invalid-parameters-format': 400,
  'unknown-referenced-resource': 400,
  'invalid-operation': 400,
  'invalid-item-id': 400,
  'invalid-event-type': 400,
  'invitationToken-invalid': 400,
  'invalid-access-token': 403,
  'invalid-credentials': 401,
  forbidden: 403,
  'unknown-resource': 404,
  'invalid-method': 404,
  'item-already-exists': 409,
  'stale-resource': 409,
  'removed-method': 410,
  'too-many-results': 413,
  'payload-too-large': 413,
  'unsupported-content-type': 415,
  'too-many-attempts': 429,
  'unavailable-method': 451,
  'unexpected-error': 500,
  'api-unavailable': 503,
  'account-moving': 503,
};

export const MESSAGES = {
  wrongPassword: 'The given username/password pair is invalid.',
  untrustedApp: 'The app id ("appId") is either missing or not trusted.',
  unknownToken: 'Cannot find access from token.',
  expired: 'Access has expired.',
  missingToken:
    'The access token is missing: expected an "Authorization" header or an "auth" query string parameter.',
  forbidden: "The given token's access permissions do not allow this operation.",
  unknownRoute: 'Unknown route',
  unknownUser: (username: string) => `Unknown user "${username}"`,
} as const;

export interface ErrorBody {
  id: ErrorId;
  message: string;
  data?: unknown;
  subErrors?: ErrorBody[];
}

/** A failure that maps to one catalogue entry; anything else thrown becomes `unexpected-error`. */
export class ApiError extends Error {
  readonly status: number;
  /** Response headers the error carries (`Retry-After` of `too-many-attempts`). */
  headers?: Record<string, string>;
  constructor(
    readonly id: ErrorId,
    message: string,
    readonly data?: unknown,
    status?: number,
  ) {
    super(message);
    this.status = status ?? ERROR_STATUS[id];
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { id: this.id, message: this.message };
    if (this.data !== undefined) body.data = this.data;
    return body;
  }
}

/** What a refused write of a moving account tells the client to wait: a move's switch takes seconds. */
export const ACCOUNT_MOVING_RETRY_SECONDS = 5;

export const err = {
  requestStructure: (message: string, data?: unknown) => new ApiError('invalid-request-structure', message, data),
  paramsFormat: (message: string, data?: unknown) => new ApiError('invalid-parameters-format', message, data),
  unknownReferenced: (message: string, data: unknown) => new ApiError('unknown-referenced-resource', message, data),
  invalidOperation: (message: string, data?: unknown) => new ApiError('invalid-operation', message, data),
  invalidItemId: (message = 'The given id is reserved or unusable.') => new ApiError('invalid-item-id', message),
  forbidden: (message: string = MESSAGES.forbidden, data?: unknown) => new ApiError('forbidden', message, data),
  unknownResource: (message: string) => new ApiError('unknown-resource', message),
  alreadyExists: (message: string, data: unknown) => new ApiError('item-already-exists', message, data),
  staleResource: (message: string, data?: unknown) => new ApiError('stale-resource', message, data),
  missingToken: () => new ApiError('invalid-access-token', MESSAGES.missingToken, undefined, 401),
  unknownToken: () => new ApiError('invalid-access-token', MESSAGES.unknownToken),
  /** 401 (§5.5): a malformed attachment `readToken`, or one the server did not issue for this file. */
  badReadToken: () => new ApiError('invalid-access-token', 'Invalid attachment read token.', undefined, 401),
  /** 401 (§2.2): downloads refuse `?auth=` (it would leave the token in request logs). */
  authQueryOnDownload: () =>
    new ApiError('invalid-access-token', 'Attachment downloads take the token in the "Authorization" header or a "readToken", never in "auth".', undefined, 401),
  expired: () => new ApiError('forbidden', MESSAGES.expired),
  unavailable: (what: string) => new ApiError('unavailable-method', `${what} is not available on this server.`),
  removed: (what: string) => new ApiError('removed-method', `${what} has been removed from the API.`),
  tooLarge: (limit: number, path?: string) =>
    new ApiError('payload-too-large', path === undefined ? 'The request or item is too large.' : `"${path}" is too large.`, path === undefined ? { limit } : { limit, path }),
  /** 503 while the account is copied to another database (docs/decisions/028-shards-and-directory.md): retry shortly. */
  accountMoving: () => {
    const e = new ApiError('account-moving', 'This account is being moved to another database: retry in a few seconds.');
    e.headers = { 'Retry-After': String(ACCOUNT_MOVING_RETRY_SECONDS) };
    return e;
  },
  tooManyAttempts: (retryAfterSeconds: number) => {
    const e = new ApiError('too-many-attempts', 'Too many requests; retry later.');
    e.headers = { 'Retry-After': String(retryAfterSeconds) };
    return e;
  },
};

/**
 * Raised when the request guard finds the access deleted, its session ended, or its row changed since it was
 * read. Answered as an unknown token unless the call path re-resolves the access from D1 and retries.
 */
export class StaleAccessError extends ApiError {
  /** Set by the call path when no guarded round trip of the request had succeeded yet: nothing was written,
   * so the whole request may be re-run once with the access re-read from D1. */
  retryable = false;
  /** The shard no longer holds the account (it was moved): the re-run asks the directory where it is now. */
  accountMoved = false;
  constructor() {
    super('invalid-access-token', MESSAGES.unknownToken);
  }
}

/** Turns anything thrown into a catalogue error; never leaks a stack or an internal message. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  console.error('unexpected error', e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  return new ApiError('unexpected-error', 'An unexpected error occurred.');
}
