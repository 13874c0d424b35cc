import type { HandoffTrigger } from '@aurion/contract'
import type { AgentAttachment, AgentReply } from '../agent/agent.ts'
import type { RouteContext } from '../app-deps.ts'
import { agentUnavailable } from '../errors.ts'
import { announceHandoff, type StoredHandoff, writeHandoff } from '../handoff/conversation-state.ts'
import { publishInboxMessage } from '../handoff/inbox-events.ts'
import { planReply, reviewAgentReply } from '../handoff/reply-gate.ts'
import { findUpload } from '../uploads/upload-repo.ts'
import { type StoredReply, silentReply, storedExtras, storeReply } from './assistant-messages.ts'
import { loadConversationHistory } from './conversation-history.ts'
import { chunkFrame, doneFrame, publishThreadFrame, typingFrame } from './frames.ts'
import { attachmentsOf } from './message-attachments.ts'
import { findReplyTo } from './message-repo.ts'
import type { MessageRow, ServiceOptions, TenantAccess } from './types.ts'
import type { AcceptedMessage } from './visitor-message.ts'

type Ctx = Pick<RouteContext, 'db' | 'bus' | 'agent' | 'inflight'>

/** Options of a reply: the service's, plus the caller's abort signal and the visitor's locale. */
export type ReplyOptions = ServiceOptions & {
  signal?: AbortSignal | undefined
  locale?: string | undefined
}

/**
 * Runs the agent over the conversation so far (up to and including `userMessage`) and yields
 * the reply's chunks as they come; the generator's return value is the stored reply. Consume it
 * to the end: the reply is stored (with `reply_to_id` = the visitor message, unique, so at most
 * one reply per message even under concurrent retries) only after the last chunk.
 *
 * A reply stored before (a retry) is yielded whole, once, with `deduplicated: true`; so is one
 * that a concurrent call in this process is producing. Every chunk and the final `done` frame
 * are also published to the thread's followers on the bus.
 *
 * Hand-off (see `handoff/reply-gate.ts`): while a person handles the conversation nothing is
 * yielded and the result is `silent`; a request for a person is answered with what happens next
 * instead of the agent, and so is a second answer in a row the agent could not give. The
 * conversation is then handed off (`handoff` in the result).
 *
 * @throws ApiError 503 agent_unavailable when the agent fails; the visitor message stays stored.
 */
export async function* streamAgentReply(
  ctx: Ctx,
  access: TenantAccess,
  accepted: Pick<AcceptedMessage, 'conversation' | 'thread' | 'userMessage'> &
    Partial<Pick<AcceptedMessage, 'deduplicated' | 'agentContext' | 'attachments'>>,
  opts: ReplyOptions = {},
): AsyncGenerator<string, StoredReply, undefined> {
  const { userMessage, thread } = accepted
  const tenantId = access.tenant.id
  // Checked before any await: a concurrent call in this process is joined, never duplicated.
  const running = ctx.inflight.reply(userMessage.id)
  if (running) {
    const r = await running
    yield r.message.body
    return { ...r, deduplicated: true }
  }

  let settled = false
  let settle!: { resolve(r: StoredReply): void; reject(e: unknown): void }
  const promise = new Promise<StoredReply>((resolve, reject) => {
    settle = {
      resolve(r) {
        settled = true
        resolve(r)
      },
      reject(e) {
        settled = true
        reject(e)
      },
    }
  })
  promise.catch(() => {})
  ctx.inflight.startReply(userMessage.id, promise)
  /**
   * Stores the reply, and the hand-off it announces (if any) in the same transaction: a reply
   * saying a person is coming never exists without the hand-off, whenever the process dies.
   */
  const store = async (
    text: string,
    extras: Parameters<typeof storeReply>[4],
    answeredBefore: boolean,
    handoff: HandoffTrigger | undefined,
  ) => {
    let stored: StoredHandoff | undefined
    const r = await storeReply(
      ctx.db,
      access,
      userMessage,
      text,
      extras,
      answeredBefore,
      handoff === undefined
        ? undefined
        : async (trx) => {
            stored = (await writeHandoff(trx, tenantId, accepted.conversation.id, handoff)).stored
          },
    )
    if (handoff !== undefined) r.handoff = handoff
    return { result: r, stored: r.deduplicated ? undefined : stored }
  }
  /** The reply is stored: `done` to the followers, then news of the hand-off if there is one. */
  const finish = async (
    result: StoredReply,
    handoff: StoredHandoff | undefined,
  ): Promise<StoredReply> => {
    publishThreadFrame(
      ctx,
      thread,
      doneFrame(userMessage.id, result.message, result.deduplicated),
      opts.origin,
    )
    if (handoff) await announceHandoff(ctx, handoff)
    settle.resolve(result)
    return result
  }
  try {
    // A message this call's caller has just stored has no reply yet (a concurrent retry that
    // answered it elsewhere first is still caught when the reply is stored: reply_to_id is unique).
    const stored =
      accepted.deduplicated === false
        ? undefined
        : await findReplyTo(ctx.db, tenantId, userMessage.id)
    if (stored) {
      const r = { message: stored, ...storedExtras(stored), deduplicated: true }
      settle.resolve(r)
      yield stored.body
      return r
    }
    const plan = await planReply(ctx, access, accepted.conversation, userMessage)
    if (plan.kind === 'silent') {
      const r = silentReply(userMessage)
      settle.resolve(r)
      return r
    }
    if (plan.kind === 'handoff') {
      publishThreadFrame(ctx, thread, chunkFrame(userMessage, 0, plan.text), opts.origin)
      yield plan.text
      const { result: r, stored: handedOff } = await store(
        plan.text,
        { sources: [], followUps: [], flags: { handoff: plan.reason } },
        true,
        plan.reason,
      )
      publishInboxMessage(ctx, r.message)
      if (plan.transfer) r.transfer = true
      return await finish(r, handedOff)
    }
    // Read with the message when it was just stored; else (a retry, the voice worker) now.
    const history =
      accepted.agentContext?.history ??
      (await loadConversationHistory(ctx.db, tenantId, accepted.conversation.id, userMessage.seq))
    publishThreadFrame(ctx, thread, typingFrame(userMessage), opts.origin)
    const files: AgentAttachment[] = (
      accepted.agentContext
        ? (accepted.attachments ?? [])
        : ((await attachmentsOf(ctx.db, tenantId, [userMessage.id])).get(userMessage.id) ?? [])
    ).map((a) => ({
      id: a.upload_id,
      fileName: a.file_name,
      contentType: a.content_type,
      sizeBytes: a.size_bytes,
    }))
    let reply: AgentReply
    let text = ''
    let index = 0
    try {
      reply = ctx.agent.reply({
        tenantId,
        conversationId: accepted.conversation.id,
        history,
        instructions: access.config.agent_instructions ?? undefined,
        redactPii: access.config.redact_pii,
        locale: opts.locale ?? localeOf(userMessage),
        knowledgeRevision: accepted.agentContext?.knowledgeRevision,
        signal: opts.signal,
        ...(files.length > 0
          ? {
              attachments: files,
              readAttachment: async (id: string) =>
                files.some((f) => f.id === id)
                  ? (await findUpload(ctx.db, tenantId, id))?.data
                  : undefined,
            }
          : {}),
      })
      for await (const chunk of reply) {
        if (typeof chunk !== 'string' || chunk === '') continue
        text += chunk
        publishThreadFrame(ctx, thread, chunkFrame(userMessage, index, chunk), opts.origin)
        index++
        yield chunk
      }
      if (text.trim() === '') throw new Error('the agent produced an empty reply')
    } catch (err) {
      if (!(err instanceof Error && err.name === 'AgentUnavailableError')) {
        opts.log?.error({ err, conversationId: accepted.conversation.id }, 'agent reply failed')
      }
      const failure = agentUnavailable()
      // Followers showed "typing": tell them the reply is not coming (the message is stored).
      publishThreadFrame(
        ctx,
        thread,
        {
          type: 'error',
          code: failure.code,
          message: failure.message,
          ...(userMessage.source_message_id !== null
            ? { source_message_id: userMessage.source_message_id }
            : {}),
        },
        opts.origin,
      )
      throw failure
    }
    const sources = await reply.sources.then(
      (s) => (Array.isArray(s) ? s : []),
      () => [],
    )
    const followUps = await (reply.followUps ?? Promise.resolve([])).then(
      (f) => (Array.isArray(f) ? f : []),
      () => [],
    )
    const review = await reviewAgentReply(ctx, access, accepted.conversation, userMessage, sources)
    if (review.handoff) {
      const extra = `\n\n${review.handoff.text}`
      text += extra
      publishThreadFrame(ctx, thread, chunkFrame(userMessage, index, extra), opts.origin)
      yield extra
    }
    // An AI reply the agent saw means this one is not the conversation's first.
    const answeredBefore = history.some((t) => t.role === 'assistant')
    const { result, stored: handedOff } = await store(
      text,
      {
        sources,
        followUps,
        flags: { ...review.flags, ...(review.handoff ? { handoff: review.handoff.reason } : {}) },
      },
      answeredBefore,
      review.handoff?.reason,
    )
    publishInboxMessage(ctx, result.message)
    if (review.handoff?.transfer) result.transfer = true
    return await finish(result, handedOff)
  } catch (err) {
    settle.reject(err)
    throw err
  } finally {
    // Also when the consumer stopped iterating early: waiters must not hang.
    if (!settled) settle.reject(agentUnavailable())
    ctx.inflight.endReply(userMessage.id)
  }
}

/** Drains {@link streamAgentReply}: the stored reply, for callers that do not stream. */
export async function generateAgentReply(
  ...args: Parameters<typeof streamAgentReply>
): Promise<StoredReply> {
  const gen = streamAgentReply(...args)
  for (;;) {
    const step = await gen.next()
    if (step.done) return step.value
  }
}

/** The browser locale the widget sent with a visitor message (`metadata.locale`), if any. */
function localeOf(m: MessageRow): string | undefined {
  if (!m.metadata) return undefined
  try {
    const locale = (JSON.parse(m.metadata) as { locale?: unknown }).locale
    return typeof locale === 'string' && locale.length <= 35 ? locale : undefined
  } catch {
    return undefined
  }
}
