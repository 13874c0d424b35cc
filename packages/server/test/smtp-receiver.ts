import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

/** One mail the receiver accepted: envelope and the raw RFC 5322 message. */
export interface ReceivedMail {
  from: string
  to: string[]
  raw: string
}

/**
 * A real SMTP server on 127.0.0.1 (the `smtp-server` package), for tests of code that sends mail.
 * Plain SMTP without AUTH or STARTTLS; `refuse` makes it reject every recipient (a mail server
 * that says no). `next()` awaits the next mail, no polling.
 */
export class SmtpReceiver {
  readonly mails: ReceivedMail[] = []
  refuse = false
  private waiters: ((m: ReceivedMail) => void)[] = []
  private cursor = 0
  private readonly server: SMTPServer

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        if (this.refuse)
          callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }))
        else callback()
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          const mail: ReceivedMail = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          }
          this.mails.push(mail)
          for (const w of this.waiters.splice(0)) w(mail)
          callback()
        })
      },
    })
  }

  /** Listens on a free port of 127.0.0.1; returns `smtp://127.0.0.1:<port>`. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(0, '127.0.0.1', () => resolve())
    })
    const { port } = this.server.server.address() as AddressInfo
    return `smtp://127.0.0.1:${port}`
  }

  /** The next mail not consumed yet (waits for it). */
  async next(): Promise<ReceivedMail> {
    const ready = this.mails[this.cursor]
    if (ready) {
      this.cursor++
      return ready
    }
    await new Promise<ReceivedMail>((resolve) => this.waiters.push(resolve))
    return this.next()
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** The 6-digit code of a verification mail, read from its subject and checked in its body. */
export function codeFromMail(mail: ReceivedMail): string {
  const subject = /^Subject: (\d{6}) is your /m.exec(mail.raw)?.[1]
  if (subject === undefined) throw new Error(`no code in the subject of:\n${mail.raw}`)
  if (!mail.raw.includes(`    ${subject}`)) throw new Error('the body does not carry the code')
  return subject
}
