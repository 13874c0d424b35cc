import { PassThrough, type Readable } from 'node:stream'
import type { VoiceReplyLine } from '@aurion/contract'
import type { FastifyBaseLogger } from 'fastify'
import type { RouteContext } from '../app-deps.ts'
import { streamAgentReply } from '../conversations/agent-reply.ts'
import type { TenantAccess } from '../conversations/types.ts'
import type { AcceptedMessage } from '../conversations/visitor-message.ts'
import { ApiError } from '../errors.ts'

/** Publisher name on the realtime bus: no widget socket skips these frames as its own. */
export const VOICE_FRAME_ORIGIN = 'voice-agent'

/**
 * The idempotency key of a call turn. The conversation is part of it, so a segment id can never
 * match (and reveal) a message of another conversation, and a chat client's own
 * `source_message_id` cannot collide with a voice segment by accident.
 */
export function voiceSourceMessageId(conversationId: string, segmentId: string): string {
  return `voice:${conversationId}:${segmentId}`
}

/**
 * Answers a stored visitor turn with the shared agent (the chat's message service: same agent,
 * same conversation, same bus frames) and streams the reply as NDJSON lines: `ack` (the visitor
 * turn is stored), `chunk`s as the agent produces them, then `done` once the reply is stored
 * (with `end_call` when a person takes over: the call ends, the chat goes on) — or `error`
 * (the visitor turn stays stored; a retry with the same segment answers it without storing it
 * twice).
 *
 * The reply is completed and stored even when the worker stops reading (the visitor barged in,
 * the call dropped): the conversation holds what the agent answered, and a retry gets that
 * stored reply instead of a second one.
 */
export function streamVoiceReply(
  ctx: Pick<RouteContext, 'db' | 'agent' | 'bus' | 'inflight'>,
  log: FastifyBaseLogger,
  access: TenantAccess,
  accepted: AcceptedMessage,
  opts: { locale: string | undefined },
): Readable {
  const out = new PassThrough()
  const write = (line: VoiceReplyLine) => {
    if (!out.destroyed && !out.writableEnded) out.write(`${JSON.stringify(line)}\n`)
  }
  const user = accepted.userMessage

  void (async () => {
    write({
      type: 'ack',
      conversation_id: user.conversation_id,
      thread_id: user.thread_id,
      user_message_id: user.id,
      deduplicated: accepted.deduplicated,
    })
    try {
      const gen = streamAgentReply(ctx, access, accepted, {
        origin: VOICE_FRAME_ORIGIN,
        trusted: true,
        log,
        locale: opts.locale,
      })
      let index = 0
      for (;;) {
        const step = await gen.next()
        if (step.done) {
          const r = step.value
          write({
            type: 'done',
            ai_message_id: r.message.id,
            ai_response: r.message.body,
            sources: r.sources.map((s) => ({ id: s.id, title: s.title })),
            deduplicated: r.deduplicated,
            ...(r.handoff !== undefined || r.silent ? { end_call: true as const } : {}),
            ...(r.transfer ? { transfer: true as const } : {}),
          })
          break
        }
        write({ type: 'chunk', index: index++, chunk: step.value })
      }
    } catch (err) {
      if (err instanceof ApiError) {
        write({ type: 'error', code: err.code, message: err.message })
      } else {
        log.error({ err, conversation_id: user.conversation_id }, 'voice reply failed')
        write({ type: 'error', code: 'internal_error', message: 'Internal Server Error' })
      }
    } finally {
      out.end()
    }
  })()
  return out
}
