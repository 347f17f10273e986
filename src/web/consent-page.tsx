/**
 * The consent page's views, rendered on the server with Hono JSX (every value escaped; no script). Each step
 * is one form posted back to the page: sign in, the second factor when the account has one, then accept or
 * refuse. See docs/consent-page.md.
 */
import type { Child } from 'hono/jsx';
import { CONSENT_CSS } from './consent-style';
import type { ConsentText, Lang } from './consent-text';
import { formatDuration, type PermissionWords } from './permission-words';

function Layout(props: { lang: Lang; title: string; children: Child }) {
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        <link rel="icon" href="data:," />
        <title>{props.title}</title>
        <style dangerouslySetInnerHTML={{ __html: CONSENT_CSS }} />
      </head>
      <body>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/** What the page shows of the request, whatever the step. */
export interface RequestView {
  lang: Lang;
  text: ConsentText;
  key: string;
  /** Where the forms post (the page itself). */
  action: string;
  appId: string;
  deviceName: string | null;
  /** The app's own message (clientData `app-web-auth:description`), shown as text. */
  appMessage: string | null;
  expireAfter: number | null;
  words: PermissionWords;
}

function Request(props: { view: RequestView }) {
  const { view } = props;
  const { text } = view;
  return (
    <>
      <section class="card" aria-labelledby="app-h">
        <p class="eyebrow">{text.pageTitle}</p>
        <h1 id="app-h">{view.appId}</h1>
        <p>{text.asks}</p>
        {view.appMessage ? (
          <blockquote aria-label={text.appMessage}>{view.appMessage}</blockquote>
        ) : null}
      </section>
      <section class="card" aria-labelledby="wants-h">
        <h2 id="wants-h">{text.wants}</h2>
        <ul class="perms">
          {view.words.lines.map((line) => (
            <li>
              <span class="stream">{line.stream}</span>
              {line.note ? <span class="note"> ({line.note})</span> : null}
              <p class="level">{line.level}</p>
              {line.narrowing.length ? (
                <ul class="narrow">
                  {line.narrowing.map((n) => (
                    <li>{n}</li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ul>
        <ul class="facts">
          {view.words.notes.map((n) => (
            <li>{n}</li>
          ))}
          {view.deviceName ? (
            <li>
              {text.device}: {view.deviceName}
            </li>
          ) : null}
          <li>{view.expireAfter !== null ? text.expiresAfter(formatDuration(view.expireAfter, text)) : text.noExpiry}</li>
        </ul>
      </section>
    </>
  );
}

function ErrorLine(props: { error?: string }) {
  return props.error ? (
    <p class="error" role="alert" id="form-error">
      {props.error}
    </p>
  ) : null;
}

/** One step's page: the request, then the step's form posted back to the page, with its two buttons. */
function StepPage(props: {
  view: RequestView;
  form: string;
  title: string;
  heading?: string;
  error?: string;
  primary: { action: string; label: string };
  /** The step's fields. (Refusing skips the browser's field checks: nothing to fill in to say no.) */
  children?: Child;
  /** Text above the form. */
  before?: Child;
}) {
  const { view } = props;
  return (
    <Layout lang={view.lang} title={`${props.title}: ${view.appId}`}>
      <Request view={view} />
      <section class="card" aria-labelledby="step-h">
        {props.heading ? <h2 id="step-h">{props.heading}</h2> : null}
        {props.before}
        <form method="post" action={view.action} enctype="multipart/form-data" aria-labelledby={props.heading ? 'step-h' : undefined}>
          <input type="hidden" name="key" value={view.key} />
          <input type="hidden" name="form" value={props.form} />
          <ErrorLine error={props.error} />
          {props.children}
          <div class="buttons">
            <button type="submit" name="action" value={props.primary.action} class="primary">
              {props.primary.label}
            </button>
            <button type="submit" name="action" value="refuse" class="secondary" formnovalidate>
              {view.text.refuse}
            </button>
          </div>
        </form>
      </section>
    </Layout>
  );
}

export function SignInPage(props: { view: RequestView; form: string; username?: string; error?: string }) {
  const { text } = props.view;
  const describedBy = props.error ? 'form-error' : undefined;
  return (
    <StepPage view={props.view} form={props.form} title={text.pageTitle} heading={text.signInTitle} error={props.error} primary={{ action: 'signin', label: text.signIn }}>
      <label for="username">{text.username}</label>
      <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck={false} required autofocus value={props.username ?? ''} aria-describedby={describedBy} />
      <label for="password">{text.password}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required aria-describedby={describedBy} />
    </StepPage>
  );
}

export function CodePage(props: { view: RequestView; form: string; error?: string }) {
  const { text } = props.view;
  return (
    <StepPage view={props.view} form={props.form} title={text.codeTitle} heading={text.codeTitle} error={props.error} primary={{ action: 'verify', label: text.verify }}>
      <label for="code">{text.code}</label>
      <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6,8}" maxlength={8} required autofocus aria-describedby="code-help" />
      <p class="help" id="code-help">
        {text.codeHelp}
      </p>
    </StepPage>
  );
}

export function ConsentPage(props: { view: RequestView; form: string; username: string; existing: 'matching' | 'mismatching' | null }) {
  const { text } = props.view;
  const before = (
    <>
      <p class="who">
        {text.signedInAs} <strong>{props.username}</strong>
      </p>
      {props.existing === 'matching' ? <p>{text.alreadyGranted}</p> : null}
      {props.existing === 'mismatching' ? <p>{text.replacesGrant}</p> : null}
    </>
  );
  return <StepPage view={props.view} form={props.form} title={text.pageTitle} before={before} primary={{ action: 'accept', label: text.accept }} />;
}

/** A final or failure page: a title and a sentence. */
export function MessagePage(props: { lang: Lang; title: string; text: string }) {
  return (
    <Layout lang={props.lang} title={props.title}>
      <section class="card">
        <h1>{props.title}</h1>
        <p>{props.text}</p>
      </section>
    </Layout>
  );
}
