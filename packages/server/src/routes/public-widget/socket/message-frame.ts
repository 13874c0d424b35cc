import { streamAgentReply } from '../../../conversations/agent-reply.ts'
import { chunkFrame, doneFrame, typingFrame } from '../../../conversations/frames.ts'
import { acceptVisitorMessage } from '../../../conversations/visitor-message.ts'
import { ApiError } from '../../../errors.ts'
import { resolveVisitorIdentity, type VisitorIdentity } from '../../../visitors/visitor-auth.ts'
import {
  authorizeWidget,
  limitByKey,
  PUBLIC_LIMITS,
  type WidgetAccess,
} from '../../../widget-auth/public-guard.ts'
import { closeForAuth, errorFrame } from './errors.ts'
import { checkMessageFrame, sourceIdOf } from './frame-parser.ts'
import type { SocketServer } from './socket-server.ts'
import { send, type WidgetSocket } from './widget-socket.ts'

/**
 * A visitor message frame: rate limit and credentials re-checked, the message stored, the
 * thread followed, then `typing`, `ack` (stored ids), the reply's `chunk`s and `done` — or an
 * `error` frame (the socket stays usable; failing credentials close it).
 */
export async function handleMessageFrame(
  { ctx, registry }: SocketServer,
  s: WidgetSocket,
  frame: unknown,
): Promise<void> {
  if (s.ws.readyState !== s.ws.OPEN) return
  const corr = sourceIdOf(frame)
  const checked = checkMessageFrame(frame)
  if (checked.error) {
    send(s, checked.error)
    return
  }
  const f = checked.message
  let access: WidgetAccess
  try {
    await limitByKey(ctx, undefined, PUBLIC_LIMITS.messages, s.ip)
    access = await authorizeWidget(ctx, s.creds)
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) closeForAuth(s, err)
    else send(s, { ...errorFrame(err), ...corr })
    return
  }
  let userMessageId: string | undefined
  try {
    const identity: VisitorIdentity = resolveVisitorIdentity(ctx, access, {
      emailToken: f.email_token ?? s.defaults.emailToken,
      senderEmail: f.sender_email ?? s.defaults.senderEmail,
    })
    const opts = { origin: s.id, log: s.log }
    const accepted = await acceptVisitorMessage(
      ctx,
      access,
      {
        body: f.body,
        identity,
        sourceThreadId: f.source_thread_id ?? s.currentThread,
        sourceMessageId: f.source_message_id,
        uploadIds: f.upload_ids,
        metadata: f.metadata,
      },
      opts,
    )
    const { conversation, thread, contact, userMessage } = accepted
    userMessageId = userMessage.id
    registry.follow(s, thread.id)
    s.currentThread = thread.id
    // A person handles the conversation: the assistant is not composing anything.
    if (conversation.handled_by !== 'human') send(s, typingFrame(userMessage))
    send(s, {
      type: 'ack',
      conversation_id: conversation.id,
      thread_id: thread.id,
      contact_id: contact.id,
      user_message_id: userMessage.id,
      source_message_id: userMessage.source_message_id,
      deduplicated: accepted.deduplicated,
    })
    const gen = streamAgentReply(ctx, access, accepted, opts)
    let index = 0
    for (;;) {
      const step = await gen.next()
      if (step.done) {
        // Silent (a person answers): `ack` was all; the person's reply comes as a message frame.
        if (!step.value.silent)
          send(s, doneFrame(userMessage.id, step.value.message, accepted.deduplicated))
        break
      }
      send(s, chunkFrame(userMessage, index++, step.value))
    }
  } catch (err) {
    if (!(err instanceof ApiError)) {
      s.log.error({ err, userMessageId }, 'widget socket message failed')
    }
    send(s, { ...errorFrame(err), ...corr })
  }
}
