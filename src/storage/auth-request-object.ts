/**
 * One app authorization request (§5.8): its record, its answer and the consent page's outstanding forms, in
 * the object's own storage. A poll is one call to the object and reads its memory: no D1, no write. The object
 * runs one call at a time, so the first answer wins and the very next poll sees it. An alarm at the request's
 * expiry deletes everything. See docs/decisions/020-auth-requests-in-durable-objects.md.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import type { AnswerOutcome, AuthRequestAnswer, AuthRequestCalls, AuthRequestRecord, ConsentForm } from './auth-requests';

/** Forms kept per request: a reloaded page issues a new one; the oldest beyond this are forgotten. */
export const MAX_CONSENT_FORMS = 16;

const RECORD = 'record';
const FORMS = 'forms';

export class AuthRequestObject extends DurableObject<Env> implements AuthRequestCalls {
  private record: AuthRequestRecord | null | undefined;

  private async load(now: number): Promise<AuthRequestRecord | null> {
    if (this.record === undefined) this.record = (await this.ctx.storage.get<AuthRequestRecord>(RECORD)) ?? null;
    // Past its expiry a request is gone, even if the alarm has not run yet.
    return this.record && this.record.expires > now ? this.record : null;
  }

  /** Stores a new request and schedules its deletion. */
  async open(record: AuthRequestRecord): Promise<void> {
    this.record = record;
    await this.ctx.storage.put(RECORD, record);
    await this.ctx.storage.setAlarm(record.expires * 1000);
  }

  /** The request, or null when unknown or expired. */
  read(now: number): Promise<AuthRequestRecord | null> {
    return this.load(now);
  }

  /** Answers the request once; a later answer finds it `answered` and changes nothing. */
  async answer(answer: AuthRequestAnswer, now: number): Promise<AnswerOutcome> {
    const record = await this.load(now);
    if (!record) return { outcome: 'unknown', record: null };
    if (record.answer) return { outcome: 'answered', record };
    const next = { ...record, answer };
    this.record = next;
    await this.ctx.storage.put(RECORD, next);
    // The consent page's forms (and the sealed sign-in they carry) serve nothing any more.
    await this.ctx.storage.delete(FORMS);
    return { outcome: 'done', record: next };
  }

  /** Keeps a form the page is about to render; false when the request is unknown, expired or answered. */
  async issueForm(form: ConsentForm, now: number): Promise<boolean> {
    const record = await this.load(now);
    if (!record || record.answer) return false;
    const forms = ((await this.ctx.storage.get<ConsentForm[]>(FORMS)) ?? []).filter((f) => f.expires > now);
    forms.push({ ...form, expires: Math.min(form.expires, record.expires) });
    await this.ctx.storage.put(FORMS, forms.slice(-MAX_CONSENT_FORMS));
    return true;
  }

  /** Takes a form by its token's hash: at most once, and only while the request waits for an answer. */
  async takeForm(hash: string, now: number): Promise<ConsentForm | null> {
    const record = await this.load(now);
    if (!record || record.answer) return null;
    const forms = (await this.ctx.storage.get<ConsentForm[]>(FORMS)) ?? [];
    const form = forms.find((f) => f.hash === hash);
    if (!form) return null;
    await this.ctx.storage.put(FORMS, forms.filter((f) => f !== form && f.expires > now));
    return form.expires > now ? form : null;
  }

  /** The request expired: nothing of it is kept. */
  override async alarm(): Promise<void> {
    this.record = null;
    await this.ctx.storage.deleteAll();
  }
}
