import { newId, newToken } from '../lib/ids';
import type { AccessRow } from '../storage/schema';
import { sealToken, tokenHash } from './crypto';
import { SESSION_SECONDS } from './session';

export interface NewSession {
  token: string;
  tokenHash: string;
  tokenSealed: string;
  sessionExpires: number;
}

/** A fresh session token for a personal access: its hash (the lookup key) and sealed copy. */
export async function newSession(key: string, username: string, now: number): Promise<NewSession> {
  const token = newToken();
  return {
    token,
    tokenHash: await tokenHash(username, token),
    tokenSealed: await sealToken(key, token),
    sessionExpires: now + SESSION_SECONDS,
  };
}

/** The personal access of `appId`, created by the system at login or registration. */
export function personalAccessRow(userId: string, appId: string, session: NewSession, now: number): AccessRow {
  return {
    id: newId(),
    userId,
    tokenHash: session.tokenHash,
    tokenSealed: session.tokenSealed,
    type: 'personal',
    name: appId,
    deviceName: null,
    permissions: '[]',
    expires: null,
    sessionExpires: session.sessionExpires,
    lastUsed: null,
    clientData: null,
    parentId: null,
    rev: 0,
    serial: 0,
    created: now,
    createdBy: 'system',
    modified: now,
    modifiedBy: 'system',
    deleted: null,
  };
}
