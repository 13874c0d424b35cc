import type { KnowledgeBase } from '../knowledge/knowledge-base.ts'
import {
  type Agent,
  type AgentReply,
  type AgentRequest,
  type AgentSource,
  AgentUnavailableError,
  abortReason,
} from './agent.ts'
import { chunkText } from './chunk-text.ts'
import { type AnswerStyle, composeAnswer, composeSmallTalk } from './compose-answer.ts'
import { classifySmallTalk } from './intents.ts'
import { createReply } from './reply-stream.ts'
import { latestVisitorText, retrieve } from './retrieval.ts'

/** The style a reply should take: spoken when the visitor's latest turn came from a voice call. */
export function answerStyle(request: AgentRequest): AnswerStyle {
  const last = [...request.history].reverse().find((t) => t.role === 'visitor')
  return last?.channel === 'voice' ? 'voice' : 'chat'
}

/**
 * The built-in help desk agent: no network, grounded in the tenant's knowledge articles. It
 * answers with the most relevant section of the best-matching article (citing it), follows up
 * on the previous article when the visitor asks "and on a Mac?" or "what if that doesn't work?",
 * handles greetings and thanks, and says honestly when no article covers the question.
 * Tenant `instructions` and `locale` are for language models; this agent answers in English.
 */
export function createBuiltinAgent(opts: { knowledge: KnowledgeBase }): Agent {
  return {
    kind: 'builtin',
    reply(request: AgentRequest): AgentReply {
      const work = (async () => {
        let kb: Awaited<ReturnType<KnowledgeBase['forTenant']>>
        try {
          kb = await opts.knowledge.forTenant(request.tenantId, {
            revision: request.knowledgeRevision,
          })
        } catch (err) {
          throw new AgentUnavailableError('The knowledge base could not be read', { cause: err })
        }
        const style = answerStyle(request)
        const latest = latestVisitorText(request.history)
        const small = latest.trim() === '' ? 'capabilities' : classifySmallTalk(latest)
        if (small !== null) {
          return { text: composeSmallTalk(kb, small, style), sources: [] as AgentSource[] }
        }
        const { text, article } = composeAnswer(kb, retrieve(kb, request.history), style)
        return { text, sources: article ? [{ id: article.id, title: article.title }] : [] }
      })()
      return createReply(
        work.then((w) => w.sources),
        async function* () {
          const { text } = await work
          for (const chunk of chunkText(text)) {
            if (request.signal?.aborted) throw abortReason(request.signal)
            yield chunk
          }
        },
      )
    },
    async check() {
      return { ok: true, reason: null }
    },
  }
}
