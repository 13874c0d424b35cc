import nodemailer from 'nodemailer'
import type { Mailer, MailMessage } from './mailer.ts'

/** How long one SMTP step (connect, greeting, a command) may take before the send fails. */
const SMTP_TIMEOUT_MS = 10_000

/**
 * Sends through an SMTP server (nodemailer, pooled connections): `smtp://user:pass@host:587`
 * (STARTTLS when the server offers it) or `smtps://…:465` (TLS from the start).
 */
export function createSmtpMailer(options: { url: string; from: string }): Mailer {
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: 2,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  } as Parameters<typeof nodemailer.createTransport>[0])
  return {
    kind: 'smtp',
    canSend: true,
    async send(message: MailMessage): Promise<void> {
      await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html !== undefined ? { html: message.html } : {}),
      })
    },
    async close(): Promise<void> {
      transport.close()
    },
  }
}
