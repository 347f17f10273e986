/**
 * Where the Worker's mails go (docs/decisions/021-sign-in-surface.md): through Cloudflare's `send_email` binding
 * (`MAILER`) in production; with `MAIL_OUTBOX=on` and no binding, into a D1 table of the local database, which
 * tests read and nothing sends on. With neither, the caller answers that mail is unavailable.
 */
import type { Config } from '../config';
import type { Env } from '../env';
import { globalDb } from '../storage/directory';
import { insertOutboxMail } from '../storage/mail-outbox';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface MailSender {
  send(mail: Mail): Promise<void>;
}

export function mailSender(env: Env, config: Config, now: number): MailSender | null {
  const binding = env.MAILER;
  if (binding) {
    return {
      send: async (mail) => {
        await binding.send({ from: config.mail.from, to: mail.to, subject: mail.subject, text: mail.text });
      },
    };
  }
  if (config.mail.outbox) {
    const db = globalDb(env);
    return {
      send: async (mail) => {
        await insertOutboxMail(db, { recipient: mail.to, subject: mail.subject, body: mail.text, created: now });
      },
    };
  }
  return null;
}
