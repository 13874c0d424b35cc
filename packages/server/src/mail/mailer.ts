/** One email to send. `text` is always sent; `html` is an optional alternative part. */
export interface MailMessage {
  to: string
  subject: string
  text: string
  html?: string | undefined
}

/**
 * Mail backend: `none` (the default: this server sends no mail) or SMTP. Chosen once by
 * {@link ../mail/create-mailer.ts}; callers never know which one they got, only whether mail
 * goes out at all (`canSend`), so they can say so instead of promising an email.
 */
export interface Mailer {
  readonly kind: 'none' | 'smtp'
  readonly canSend: boolean
  /** Resolves once the mail server accepted the message; rejects when it refused or is down. */
  send(message: MailMessage): Promise<void>
  close(): Promise<void>
}

/** The mailer of a server without mail: {@link Mailer.send} always rejects. */
export function createNoMailer(): Mailer {
  return {
    kind: 'none',
    canSend: false,
    send: async () => {
      throw new Error('this server sends no mail (AURION_SMTP_URL is not set)')
    },
    close: async () => {},
  }
}
