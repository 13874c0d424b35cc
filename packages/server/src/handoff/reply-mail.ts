import { EventEmitter } from 'node:events'
import type { MessageAuthor } from '@aurion/contract'
import type { RouteContext } from '../app-deps.ts'
import type { ConversationRow, MessageRow } from '../conversations/types.ts'
import type { BusEvent } from '../realtime/bus.ts'
import { findContactById } from '../visitors/contact-repo.ts'
import { visitorFacingName } from './conversation-state.ts'

/**
 * How long a person's reply waits for a widget socket (on any instance) to show it to the visitor
 * before it is mailed instead.
 */
export const REPLY_MAIL_WAIT_MS = 2000

/** What became of a reply's email: `sent`, or why not. */
export type ReplyMailOutcome =
  | 'sent'
  | 'delivered_live'
  | 'no_verified_email'
  | 'mail_not_configured'
  | 'send_failed'

/** Emits `outcome` (messageId, outcome) for every reply: logs and tests await it. */
export const replyMailEvents = new EventEmitter()

/**
 * Mails a person's reply to a visitor who left: when no widget socket showed it within
 * {@link REPLY_MAIL_WAIT_MS} (sockets publish `thread.delivered` on the bus when they do), the
 * conversation's email is proven (a verified contact) and this server sends mail. Runs in the
 * background; the reply is stored either way. Call it before the message's frame is published:
 * a socket on this instance reports delivery while the frame is being published.
 */
export function mailReplyIfVisitorLeft(
  ctx: Pick<RouteContext, 'db' | 'bus' | 'mailer'>,
  c: ConversationRow,
  message: MessageRow,
  author: MessageAuthor,
  log?: { warn(obj: object, msg: string): void },
): void {
  const done = (outcome: ReplyMailOutcome) =>
    replyMailEvents.emit('outcome', { messageId: message.id, outcome })
  let settle!: (delivered: boolean) => void
  const delivered = new Promise<boolean>((resolve) => {
    settle = resolve
  })
  const unsubscribe = ctx.bus.subscribe((e: BusEvent) => {
    if (e.type === 'thread.delivered' && e.messageId === message.id) settle(true)
  })
  const timer = setTimeout(() => settle(false), REPLY_MAIL_WAIT_MS)
  timer.unref()
  void (async () => {
    const live = await delivered
    clearTimeout(timer)
    unsubscribe()
    if (live) return done('delivered_live')
    const contact =
      Number(c.contact_verified) === 1 && c.contact_id
        ? await findContactById(ctx.db, c.tenant_id, c.contact_id)
        : undefined
    if (!contact?.email) return done('no_verified_email')
    if (!ctx.mailer.canSend) return done('mail_not_configured')
    const from = author ? visitorFacingName(author) : 'Our support team'
    try {
      await ctx.mailer.send({
        to: contact.email,
        subject: `Re: ${c.subject}`.slice(0, 200),
        text: `${from} replied to your conversation "${c.subject}":\n\n${message.body}\n\nYou can answer in the chat on our website; your conversation is saved there.`,
      })
      done('sent')
    } catch (err) {
      log?.warn({ err, conversationId: c.id }, 'could not mail a reply to the visitor')
      done('send_failed')
    }
  })().catch(() => done('send_failed'))
}
