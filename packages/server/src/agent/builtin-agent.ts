import type { SemanticSearch } from '../knowledge/embeddings/semantic-search.ts'
import {
  citationOf,
  type KnowledgeBase,
  type TenantKnowledge,
} from '../knowledge/knowledge-base.ts'
import { detectLanguage, type Lang, langOfLocale } from '../knowledge/language.ts'
import {
  type Agent,
  type AgentAttachment,
  type AgentReply,
  type AgentRequest,
  type AgentSource,
  type AgentTurn,
  AgentUnavailableError,
  abortReason,
} from './agent.ts'
import { chunkText } from './chunk-text.ts'
import {
  type Answer,
  type AnswerStyle,
  type ComposeOptions,
  composeAnswer,
  composeSmallTalk,
} from './compose-answer.ts'
import { classifySmallTalk } from './intents.ts'
import { say } from './phrases/index.ts'
import { createReply } from './reply-stream.ts'
import { latestVisitorText, retrievalQuestion, retrieve } from './retrieval.ts'
import { semanticScoresFor } from './semantic.ts'

/** The style a reply should take: spoken when the visitor's latest turn came from a voice call. */
export function answerStyle(request: AgentRequest): AnswerStyle {
  const last = [...request.history].reverse().find((t) => t.role === 'visitor')
  return last?.channel === 'voice' ? 'voice' : 'chat'
}

/**
 * The language to answer in: the visitor's latest message's, else that of their recent messages,
 * else their browser's, else the articles'.
 */
export function replyLanguage(
  kb: TenantKnowledge,
  history: readonly AgentTurn[],
  locale: string | undefined,
): Lang {
  const visitor = history.filter((t) => t.role === 'visitor')
  return (
    detectLanguage(visitor.at(-1)?.text ?? '') ??
    detectLanguage(
      visitor
        .slice(-4, -1)
        .map((t) => t.text)
        .join('\n'),
    ) ??
    langOfLocale(locale) ??
    kb.languages[0] ??
    'en'
  )
}

/**
 * The built-in help desk agent: no network, grounded in the tenant's knowledge articles. It
 * answers with the most relevant section of the best-matching article (its other sections offered
 * as follow-ups), follows up on the previous article when the visitor asks "and on a Mac?" or
 * "what if that doesn't work?", handles greetings and thanks, acknowledges attachments, and says
 * honestly when no article covers the question — in the visitor's language (see
 * {@link replyLanguage}). Tenant `instructions` are for language models.
 */
export function createBuiltinAgent(opts: {
  knowledge: KnowledgeBase
  /** Hybrid search when embeddings are configured. */
  semantic?: SemanticSearch | undefined
}): Agent {
  return {
    kind: 'builtin',
    reply(request: AgentRequest): AgentReply {
      const work = (async () => {
        let kb: TenantKnowledge
        try {
          kb = await opts.knowledge.forTenant(request.tenantId, {
            revision: request.knowledgeRevision,
          })
        } catch (err) {
          throw new AgentUnavailableError('The knowledge base could not be read', { cause: err })
        }
        const files = request.attachments ?? []
        const history =
          files.length > 0 ? withoutFileNames(request.history, files) : request.history
        const o: ComposeOptions = {
          style: answerStyle(request),
          lang: replyLanguage(kb, history, request.locale),
        }
        const latest = latestVisitorText(history)
        const small =
          latest.trim() === ''
            ? files.length > 0
              ? null
              : 'capabilities'
            : classifySmallTalk(latest)
        let answer: Answer
        if (small !== null) answer = composeSmallTalk(kb, small, o)
        else {
          const visitorLang = langOfLocale(request.locale)
          const semantic =
            latest.trim() === ''
              ? undefined
              : await semanticScoresFor(opts.semantic, request, retrievalQuestion(history))
          answer =
            latest.trim() === ''
              ? { text: '', followUps: [] }
              : composeAnswer(kb, retrieve(kb, history, { visitorLang, semantic }), o)
        }
        if (files.length > 0) answer = acknowledgeFiles(answer, files, o)
        const sources: AgentSource[] = answer.article ? [citationOf(answer.article)] : []
        return { text: answer.text, sources, followUps: answer.followUps }
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
        work.then((w) => w.followUps),
      )
    },
    async check() {
      return { ok: true, reason: null }
    },
  }
}

/**
 * "Attached: error.png" (what the widget sends with files and no text) says nothing to search
 * for: the latest message is read without the file names.
 */
function withoutFileNames(
  history: readonly AgentTurn[],
  files: readonly AgentAttachment[],
): AgentTurn[] {
  const out = [...history]
  for (let i = out.length - 1; i >= 0; i--) {
    const turn = out[i]!
    if (turn.role !== 'visitor') continue
    let text = turn.text
    for (const f of files) text = text.split(f.fileName).join(' ')
    // Only separators left, or a label before them ("Attached:", "مرفقات:").
    if (/^\s*(?:[\p{L}\p{M}]+(?:\s[\p{L}\p{M}]+)?\s*:)?[\s,;.]*$/u.test(text.replace(/\s+/g, ' ')))
      text = ''
    out[i] = { ...turn, text: text.trim() }
    break
  }
  return out
}

/**
 * Says the files arrived. When no article answered, says too that the agent cannot look at them
 * but the support team can, and asks for the problem in words.
 */
function acknowledgeFiles(
  answer: Answer,
  files: readonly AgentAttachment[],
  o: ComposeOptions,
): Answer {
  const ack =
    files.length === 1
      ? say(o.lang, 'attachmentOne', { name: files[0]!.fileName })
      : say(o.lang, 'attachmentMany', { count: String(files.length) })
  if (answer.article) return { ...answer, text: `${ack}\n\n${answer.text}` }
  const images = files.every((f) => f.contentType.startsWith('image/'))
  const parts = [
    ack,
    say(o.lang, images ? 'cantSeeImages' : 'cantOpenFiles'),
    say(o.lang, 'describeIt'),
  ]
  return { text: parts.join(' '), followUps: [] }
}
