import type { Config } from '../config.ts'
import { createNoMailer, type Mailer } from './mailer.ts'
import { createSmtpMailer } from './smtp-mailer.ts'

/** `AURION_SMTP_URL` set → SMTP (from `AURION_MAIL_FROM`); otherwise no mail. */
export function createMailer(config: Pick<Config, 'mail'>): Mailer {
  const { smtpUrl, from } = config.mail
  if (smtpUrl === undefined || from === undefined) return createNoMailer()
  return createSmtpMailer({ url: smtpUrl, from })
}
