/**
 * HTTP entry of the consent page (the default `authUrl`, `GET|POST {register}auth`): it shows an app's
 * authorization request, signs the person in and records their answer. No script, no cookie: each step is a
 * form carrying a single-use token whose secrets stay in the request's Durable Object, and a form is taken
 * only when the browser says it was sent from this page. See docs/decisions/020-auth-requests-in-durable-objects.md
 * and docs/consent-page.md.
 */
import type { HtmlEscapedString } from 'hono/utils/html';
import { sealToken, sha256Hex, toBase64Url, unsealToken } from '../auth/crypto';
import { tokenKey } from '../auth/session';
import type { PublicContext } from '../core/context';
import { ApiError } from '../core/errors';
import { readBytesLimited } from '../lib/limited-body';
import { registerRoot } from '../lib/urls';
import { AUTH_REQUEST_KEY_PATTERN, REFUSED_BY_USER } from '../methods/auth-requests';
import { authRequestObject, type AuthRequestRecord } from '../storage/auth-requests';
import { answer, checkGrant, endSession, grant, pageContext, signIn, verifySecondFactor, type SignInOutcome, type SignInRefusal } from './consent-flow';
import { CodePage, ConsentPage, MessagePage, SignInPage, type RequestView } from './consent-page';
import { CONSENT_CSS } from './consent-style';
import { langOf, textFor, type ConsentText, type Lang } from './consent-text';
import { askedNames, describePermissions, formatDuration } from './permission-words';
import { htmlResponse } from './html-response';

/** A form stays valid this long (the request itself lives an hour at most). */
export const FORM_TTL_SECONDS = 30 * 60;
/** The consent forms are a few short fields: a larger body is refused unread. */
export const FORM_MAX_BYTES = 16 * 1024;
const FORM_TOKEN_BYTES = 32;

type Step = 'signin' | 'second-factor' | 'consent';

interface Page {
  ctx: PublicContext;
  record: AuthRequestRecord;
  lang: Lang;
  text: ConsentText;
  action: string;
}

/** Where the page's forms may go: the page itself, and the app's returnURL (the redirect after the answer). */
function formSources(record: AuthRequestRecord | null): string[] {
  const sources = ["'self'"];
  const target = record?.asked.returnURL;
  if (target) {
    const url = new URL(target);
    sources.push(url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol);
  }
  return sources;
}

function render(page: Pick<Page, 'record'> | null, body: HtmlEscapedString | Promise<HtmlEscapedString>, status: number, headers?: Record<string, string>) {
  return htmlResponse(body, status, { css: CONSENT_CSS, formAction: formSources(page?.record ?? null), headers });
}

const pageAction = (ctx: PublicContext) => `${registerRoot(ctx.config, ctx.request.baseUrl)}auth`;

function appMessage(clientData: Record<string, unknown> | null): string | null {
  const description = clientData?.['app-web-auth:description'] as { content?: unknown } | undefined;
  return typeof description?.content === 'string' ? description.content : null;
}

/** `checked`: the permissions as `accesses.checkApp` answered for the signed-in account; else as asked. */
function requestView(page: Page, checked?: readonly Record<string, unknown>[]): RequestView {
  const { asked } = page.record;
  return {
    lang: page.lang,
    text: page.text,
    key: page.record.key,
    action: page.action,
    appId: asked.requestingAppId,
    deviceName: asked.deviceName ?? null,
    appMessage: appMessage(asked.clientData),
    expireAfter: asked.expireAfter ?? null,
    words: checked
      ? describePermissions(checked, page.text, page.lang, { asked: askedNames(asked.requestedPermissions) })
      : describePermissions(asked.requestedPermissions, page.text, page.lang, null),
  };
}

/** A new single-use form for `step`; its secrets (sealed) stay in the request's object. */
async function issueForm(page: Page, step: Step, secrets: Record<string, string> = {}): Promise<string | null> {
  const { ctx } = page;
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(FORM_TOKEN_BYTES)));
  const data: Record<string, string> = {};
  for (const [name, value] of Object.entries(secrets)) data[name] = name === 'username' ? value : await sealToken(tokenKey(ctx.env), value);
  const kept = await authRequestObject(ctx.env, page.record.key).issueForm({ hash: await sha256Hex(token), step, data, expires: Math.floor(ctx.now) + FORM_TTL_SECONDS }, ctx.now);
  return kept ? token : null;
}

async function loadPage(ctx: PublicContext, key: string): Promise<Page | null> {
  if (!AUTH_REQUEST_KEY_PATTERN.test(key)) return null;
  const record = await authRequestObject(ctx.env, key).read(ctx.now);
  if (!record) return null;
  const lang = langOf(record.asked.lang);
  return { ctx, record, lang, text: textFor(lang), action: pageAction(ctx) };
}

function gonePage(lang: Lang, status = 404) {
  const text = textFor(lang);
  return render(null, <MessagePage lang={lang} title={text.goneTitle} text={text.goneText} />, status);
}

async function signInPage(page: Page, status = 200, error?: string, username?: string, headers?: Record<string, string>) {
  const form = await issueForm(page, 'signin');
  if (!form) return gonePage(page.lang, 410);
  return render(page, <SignInPage view={requestView(page)} form={form} username={username} error={error} />, status, headers);
}

function refusalWords(page: Page, reason: SignInRefusal, retryAfter?: number): string {
  const { text } = page;
  switch (reason) {
    case 'too-many':
      return text.tooMany(formatDuration(retryAfter ?? 60, text));
    case 'use-username':
      return text.useUsername;
    case 'wrong-code':
      return text.wrongCode;
    case 'second-factor-unavailable':
      return text.secondFactorUnavailable;
    case 'session-ended':
      return text.sessionEnded;
    case 'credentials':
      return text.wrongCredentials;
  }
}

/** After a sign-in step: the consent form, the second-factor form, or the sign-in form again with why. */
async function afterSignIn(page: Page, outcome: SignInOutcome, login: string, retryCode?: { username: string; mfaToken: string }): Promise<Response> {
  if (outcome.kind === 'refused') {
    const status = outcome.reason === 'too-many' ? 429 : 401;
    const headers: Record<string, string> = outcome.retryAfter !== undefined ? { 'Retry-After': String(outcome.retryAfter) } : {};
    const words = refusalWords(page, outcome.reason, outcome.retryAfter);
    if (retryCode && outcome.reason === 'wrong-code') return secondFactorPage(page, retryCode.username, retryCode.mfaToken, status, words);
    return signInPage(page, status, words, login, headers);
  }
  if (outcome.kind === 'second-factor') return secondFactorPage(page, outcome.username, outcome.mfaToken, 200);
  return consentPage(page, outcome.username, outcome.token);
}

async function secondFactorPage(page: Page, username: string, mfaToken: string, status: number, error?: string) {
  const form = await issueForm(page, 'second-factor', { username, mfaToken });
  if (!form) return gonePage(page.lang, 410);
  return render(page, <CodePage view={requestView(page)} form={form} error={error} />, status);
}

async function consentPage(page: Page, username: string, token: string): Promise<Response> {
  let check;
  try {
    check = await checkGrant(page.ctx, username, token, page.record);
  } catch (e) {
    return failRequest(page, e);
  }
  if (!check) return signInPage(page, 401, page.text.sessionEnded, username);
  const form = await issueForm(page, 'consent', { username, token });
  if (!form) return gonePage(page.lang, 410);
  // A matching access is answered without checked permissions: the request is shown as asked.
  const view = check.checkedPermissions ? requestView(page, check.checkedPermissions) : requestView(page);
  const existing = check.matchingAccess ? 'matching' : check.mismatchingAccess ? 'mismatching' : null;
  return render(page, <ConsentPage view={view} form={form} username={username} existing={existing} />, 200);
}

/** The returnURL with the answer's `prYv` parameters (never the token: the app polls for it). */
function returnLocation(record: AuthRequestRecord, status: string): string {
  const target = record.asked.returnURL!;
  const separator = /[?&#]$/.test(target) ? '' : target.includes('?') ? '&' : '?';
  const params = new URLSearchParams({ prYvkey: record.key, prYvstatus: status, prYvpoll: record.asked.poll });
  return `${target}${separator}${params}`;
}

/** The end of the flow: back to the app when it gave a returnURL, else a page saying the window may close. */
function finished(page: Page, status: 'ACCEPTED' | 'REFUSED' | 'ERROR'): Promise<Response> | Response {
  if (page.record.asked.returnURL) {
    return new Response(null, { status: 303, headers: { Location: returnLocation(page.record, status), 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } });
  }
  const { text } = page;
  const title = status === 'ACCEPTED' ? text.acceptedTitle : status === 'REFUSED' ? text.refusedTitle : text.failedTitle;
  return render(page, <MessagePage lang={page.lang} title={title} text={status === 'ERROR' ? text.failedText : text.closeWindow} />, 200);
}

/** The request cannot be granted (a stream the app names does not exist, say): the app is told why. */
async function failRequest(page: Page, e: unknown): Promise<Response> {
  if (!(e instanceof ApiError) || e.status >= 500) throw e;
  try {
    await answer(page.ctx, page.record.key, { status: 'ERROR', reasonID: e.id, message: e.message });
  } catch (answerError) {
    if (!(answerError instanceof ApiError)) throw answerError;
    return gonePage(page.lang, 410);
  }
  return finished(page, 'ERROR');
}

async function refuse(page: Page, session: { username: string; token: string } | null): Promise<Response> {
  if (session) endSession(page.ctx, session.username, session.token);
  try {
    await answer(page.ctx, page.record.key, { status: 'REFUSED', reasonID: REFUSED_BY_USER });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return gonePage(page.lang, 410);
  }
  return finished(page, 'REFUSED');
}

async function accept(page: Page, username: string, token: string): Promise<Response> {
  let appToken: string | null;
  try {
    appToken = await grant(page.ctx, username, token, page.record);
  } catch (e) {
    endSession(page.ctx, username, token);
    return failRequest(page, e);
  }
  if (appToken === null) return signInPage(page, 401, page.text.sessionEnded, username);
  endSession(page.ctx, username, token);
  try {
    await answer(page.ctx, page.record.key, { status: 'ACCEPTED', username, token: appToken });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return gonePage(page.lang, 410);
  }
  return finished(page, 'ACCEPTED');
}

/**
 * Whether the browser sent the form from this page: `Sec-Fetch-Site` when the browser sends it, else an
 * `Origin` other than "null". A client that sends neither is not a browser a third site could drive.
 */
function fromThisPage(req: Request, action: string): boolean {
  const site = req.headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin';
  const origin = req.headers.get('origin');
  return origin === null || origin === 'null' || origin === new URL(action).origin;
}

async function readForm(req: Request): Promise<FormData | null> {
  // multipart: a urlencoded POST is the API's method override (§2.7), which the Worker applies before routing.
  const type = req.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) return null;
  try {
    const body = await readBytesLimited(req, FORM_MAX_BYTES);
    return await new Response(body, { headers: { 'Content-Type': type } }).formData();
  } catch {
    return null;
  }
}

const field = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

async function unsealed(ctx: PublicContext, sealed: string | undefined): Promise<string | null> {
  return sealed === undefined ? null : unsealToken(tokenKey(ctx.env), sealed);
}

/** `GET {register}auth?key=…`: the request in words and the sign-in form. */
export async function serveConsentPage(base: PublicContext, url: URL): Promise<Response> {
  const ctx = pageContext(base);
  try {
    const page = await loadPage(ctx, url.searchParams.get('key') ?? '');
    if (!page) return gonePage(langOf(url.searchParams.get('lang')));
    if (page.record.answer) return gonePage(page.lang, 410);
    return await signInPage(page);
  } catch (e) {
    return pageFailure(langOf(url.searchParams.get('lang')), e);
  }
}

/** `POST {register}auth`: one step of the flow, by the form it answers. */
export async function answerConsentForm(base: PublicContext, req: Request): Promise<Response> {
  const ctx = pageContext(base);
  let lang: Lang = 'en';
  try {
    const action = pageAction(ctx);
    const form = await readForm(req);
    if (!form) return gonePage(lang, 400);
    const page = await loadPage(ctx, field(form, 'key'));
    if (!page) return gonePage(lang);
    lang = page.lang;
    if (!fromThisPage(req, action)) {
      return render(page, <MessagePage lang={lang} title={page.text.notAllowedTitle} text={page.text.notAllowedText} />, 403);
    }
    if (page.record.answer) return gonePage(lang, 410);
    const taken = await authRequestObject(ctx.env, page.record.key).takeForm(await sha256Hex(field(form, 'form')), ctx.now);
    if (!taken) return signInPage(page, 400, page.text.formExpired);
    const act = field(form, 'action');
    const username = taken.data.username ?? '';
    if (taken.step === 'signin') {
      if (act === 'refuse') return refuse(page, null);
      const login = field(form, 'username');
      return afterSignIn(page, await signIn(ctx, login, field(form, 'password')), login);
    }
    if (taken.step === 'second-factor') {
      const mfaToken = await unsealed(ctx, taken.data.mfaToken);
      if (mfaToken === null) return signInPage(page, 400, page.text.formExpired);
      if (act === 'refuse') return refuse(page, null);
      return afterSignIn(page, await verifySecondFactor(ctx, username, mfaToken, field(form, 'code').trim()), username, { username, mfaToken });
    }
    const token = await unsealed(ctx, taken.data.token);
    if (token === null) return signInPage(page, 400, page.text.formExpired);
    if (act === 'accept') return accept(page, username, token);
    return refuse(page, { username, token });
  } catch (e) {
    return pageFailure(lang, e);
  }
}

function pageFailure(lang: Lang, e: unknown) {
  // A bug, not a refusal. Logged without the form or URL, which hold keys and secrets.
  console.error('consent page failed:', e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error');
  const text = textFor(lang);
  return render(null, <MessagePage lang={lang} title={text.failedTitle} text={text.failedText} />, 500);
}
