import OpenAI, { APIConnectionError, APIError } from 'openai'
import type { SemanticScores, SemanticSearch } from '../knowledge/embeddings/semantic-search.ts'
import {
  citationOf,
  type KnowledgeBase,
  type TenantKnowledge,
} from '../knowledge/knowledge-base.ts'
import { langOfLocale } from '../knowledge/language.ts'
import { redactPii } from '../privacy/redact.ts'
import {
  type Agent,
  type AgentReply,
  type AgentRequest,
  type AgentSource,
  AgentUnavailableError,
  abortReason,
} from './agent.ts'
import { withAttachments } from './attachment-parts.ts'
import { answerStyle } from './builtin-agent.ts'
import { CitationFilter } from './citation-filter.ts'
import { buildMessages, type ReferenceArticle } from './prompt.ts'
import { createReply } from './reply-stream.ts'
import { retrievalQuestion, retrieve } from './retrieval.ts'
import { semanticScoresFor } from './semantic.ts'

export interface OpenAiAgentOptions {
  knowledge: KnowledgeBase
  /** Hybrid search when embeddings are configured. */
  semantic?: SemanticSearch | undefined
  /** OpenAI-compatible API root, e.g. `http://127.0.0.1:11434/v1` (Ollama). */
  baseUrl: string | undefined
  apiKey: string | undefined
  model: string
  temperature: number
  maxTokens: number
  /** Limit for the first token and for each pause between tokens. */
  timeoutMs: number
  /** Extra attempts before the first token (default 2); never once text was streamed. */
  retries?: number
  /** First backoff delay; doubles per attempt, with jitter (default 250 ms). */
  backoffMs?: number
  /** Token budget of earlier turns (default 3000) and of reference articles (default 3000). */
  historyTokens?: number
  referenceTokens?: number
  /** Articles passed per reply (default 3). */
  maxArticles?: number
  /** The model takes images: image attachments are passed as `image_url` parts. */
  vision?: boolean
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1'
// A Retry-After longer than this is not worth waiting for while a visitor watches.
const MAX_RETRY_AFTER_MS = 4000
const CHECK_CACHE_MS = 10_000

/**
 * An agent backed by any OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI,
 * Ollama, vLLM, LM Studio…), grounded in the tenant's knowledge articles and streaming tokens as
 * they arrive. Every upstream failure (timeout, HTTP error, malformed or cut stream) ends the
 * iteration with {@link AgentUnavailableError}; attempts are retried with backoff only while no
 * text has been streamed.
 */
export function createOpenAiAgent(opts: OpenAiAgentOptions): Agent {
  const baseUrl = (opts.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '')
  const client = new OpenAI({
    baseURL: baseUrl,
    // Local servers (Ollama, vLLM) need no key, but the SDK insists on one.
    apiKey: opts.apiKey ?? 'unused',
    maxRetries: 0,
    timeout: opts.timeoutMs,
    logLevel: 'off',
  })
  const retries = opts.retries ?? 2
  const backoffMs = opts.backoffMs ?? 250
  const maxArticles = opts.maxArticles ?? 3

  function prepare(kb: TenantKnowledge, request: AgentRequest, semantic?: SemanticScores) {
    const r = retrieve(kb, request.history, {
      visitorLang: langOfLocale(request.locale),
      semantic,
    })
    const chosen = new Map<string, ReferenceArticle & { id: string }>()
    const add = (a: { id: string; title: string; tags: string[]; body: string }) => {
      if (chosen.size < maxArticles && !chosen.has(a.id))
        chosen.set(a.id, { id: a.id, title: a.title, tags: a.tags, body: a.body })
    }
    if (r.article) add(r.article)
    for (const hit of r.hits) if (hit.confident) add(hit.article)
    if (r.followUp && r.previousArticle) add(r.previousArticle)
    const articles = [...chosen.values()]
    const messages = buildMessages({
      instructions: request.instructions,
      articles,
      topics: kb.titles(30),
      // redact_pii: the model (a third party) never sees the visitor's personal data.
      history: request.redactPii
        ? request.history.map((t) => ({ ...t, text: redactPii(t.text) }))
        : request.history,
      style: answerStyle(request),
      locale: request.locale,
      historyTokens: opts.historyTokens ?? 3000,
      referenceTokens: opts.referenceTokens ?? 3000,
    })
    const sources: AgentSource[] = articles.map((a) => {
      const article = kb.articles.get(a.id)
      return article ? citationOf(article) : { id: a.id, title: a.title }
    })
    return { messages, sources, kb }
  }

  let lastCheck: { at: number; result: Promise<{ ok: boolean; reason: string | null }> } | undefined
  const dialect = { maxCompletionTokens: false, temperature: true }
  function adaptDialect(err: unknown): boolean {
    if (!(err instanceof APIError) || err.status !== 400) return false
    const msg = err.message
    if (
      !dialect.maxCompletionTokens &&
      /max_tokens/.test(msg) &&
      /max_completion_tokens/.test(msg)
    ) {
      dialect.maxCompletionTokens = true
      return true
    }
    if (dialect.temperature && /temperature/.test(msg) && /unsupported|not support/i.test(msg)) {
      dialect.temperature = false
      return true
    }
    return false
  }

  return {
    kind: 'openai',
    reply(request: AgentRequest): AgentReply {
      const prepared = opts.knowledge
        .forTenant(request.tenantId, { revision: request.knowledgeRevision })
        .then(
          async (kb) =>
            prepare(
              kb,
              request,
              await semanticScoresFor(opts.semantic, request, retrievalQuestion(request.history)),
            ),
          (err: unknown) => {
            throw new AgentUnavailableError('The knowledge base could not be read', { cause: err })
          },
        )
      // The titles the model cited narrow the retrieved articles down to the sources shown.
      let citedBy: ((titles: string[]) => void) | undefined
      const cited = new Promise<string[]>((resolve) => {
        citedBy = resolve
      })
      const sources = prepared.then(async (p) => {
        const named: AgentSource[] = []
        for (const title of await cited) {
          const a = p.kb.findByTitle(title)
          if (a && !named.some((s) => s.id === a.id)) named.push(citationOf(a))
        }
        return named.length > 0 ? named : p.sources
      })
      return createReply(sources, async function* () {
        const filter = new CitationFilter()
        try {
          yield* stream(filter)
          const rest = filter.end()
          if (rest !== '') yield rest
        } finally {
          citedBy?.(filter.cited)
        }
      })

      async function* stream(filter: CitationFilter): AsyncGenerator<string, void, undefined> {
        const messages = await withAttachments(
          (await prepared).messages,
          request,
          opts.vision === true,
        )
        let attempt = 0
        let emitted = false
        for (;;) {
          const controller = new AbortController()
          const onCallerAbort = () => controller.abort()
          request.signal?.addEventListener('abort', onCallerAbort)
          let timedOut = false
          let completed = false
          let timer: NodeJS.Timeout | undefined
          const arm = () => {
            clearTimeout(timer)
            timer = setTimeout(() => {
              timedOut = true
              controller.abort()
            }, opts.timeoutMs)
          }
          try {
            if (request.signal?.aborted) throw abortReason(request.signal)
            arm()
            const stream = await client.chat.completions.create(
              {
                model: opts.model,
                messages,
                stream: true,
                ...(dialect.temperature ? { temperature: opts.temperature } : {}),
                ...(dialect.maxCompletionTokens
                  ? { max_completion_tokens: opts.maxTokens }
                  : { max_tokens: opts.maxTokens }),
              },
              { signal: controller.signal },
            )
            let finished = false
            completed = false
            for await (const chunk of stream) {
              arm()
              const choice = chunk.choices?.[0]
              const text = choice?.delta?.content
              if (typeof text === 'string' && text !== '') {
                emitted = true
                const visible = filter.push(text)
                if (visible !== '') {
                  // The visitor's pace is not the model's: no timeout while the caller holds us.
                  clearTimeout(timer)
                  yield visible
                  arm()
                }
              }
              if (choice?.finish_reason) finished = true
            }
            // The SDK ends an aborted stream quietly: tell a stall from a completed reply.
            if (timedOut) throw new StreamTimeout()
            if (request.signal?.aborted) throw abortReason(request.signal)
            if (!finished) throw new StreamCut()
            completed = true
            return
          } catch (err) {
            if (request.signal?.aborted && !timedOut) throw abortReason(request.signal)
            // Newer OpenAI models refuse `max_tokens` (and some a temperature): learn once,
            // then ask again at once, which is safe since nothing was generated.
            if (!emitted && adaptDialect(err)) continue
            const failure = classify(timedOut ? new StreamTimeout() : err, opts.timeoutMs)
            if (!emitted && attempt < retries && failure.retryable) {
              attempt++
              const delay =
                failure.retryAfterMs ?? backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2)
              if (await sleep(delay, request.signal)) continue
              throw abortReason(request.signal!)
            }
            throw new AgentUnavailableError(failure.message, { cause: err })
          } finally {
            clearTimeout(timer)
            request.signal?.removeEventListener('abort', onCallerAbort)
            // Ends the upstream request unless it completed (aborting costs a DOMException).
            if (!completed) controller.abort()
          }
        }
      }
    },

    check() {
      const now = Date.now()
      if (lastCheck && now - lastCheck.at < CHECK_CACHE_MS) return lastCheck.result
      const result = probe(client, opts.model, baseUrl, Math.min(opts.timeoutMs, 5000))
      lastCheck = { at: now, result }
      return result
    },
  }
}

class StreamTimeout extends Error {
  constructor() {
    super('timed out')
  }
}

class StreamCut extends Error {
  constructor() {
    super('the stream ended before the reply was complete')
  }
}

interface Failure {
  message: string
  retryable: boolean
  retryAfterMs?: number
}

function classify(err: unknown, timeoutMs: number): Failure {
  if (err instanceof AgentUnavailableError) return { message: err.message, retryable: false }
  if (err instanceof StreamTimeout || err instanceof OpenAI.APIConnectionTimeoutError)
    return { message: `The language model did not respond within ${timeoutMs} ms`, retryable: true }
  if (err instanceof StreamCut)
    return {
      message: 'The connection to the language model ended before the reply was complete',
      retryable: true,
    }
  if (err instanceof APIConnectionError)
    return { message: 'The language model could not be reached', retryable: true }
  if (err instanceof APIError) {
    const status = err.status
    if (status === undefined)
      // An `error` event inside the stream.
      return {
        message: `The language model reported an error: ${short(err.message)}`,
        retryable: false,
      }
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500
    const after = retryAfterMs(err.headers)
    if (after !== undefined && after > MAX_RETRY_AFTER_MS)
      return { message: `The language model answered HTTP ${status}`, retryable: false }
    return {
      message: `The language model answered HTTP ${status}`,
      retryable,
      ...(after !== undefined ? { retryAfterMs: after } : {}),
    }
  }
  if (err instanceof SyntaxError)
    return { message: 'The language model sent a malformed stream event', retryable: false }
  // Body read failures (socket closed mid-stream) surface from fetch as TypeError("terminated").
  return {
    message: `The language model stream failed: ${short(err instanceof Error ? err.message : String(err))}`,
    retryable: true,
  }
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const raw = headers?.get('retry-after-ms') ?? undefined
  if (raw !== undefined && Number.isFinite(Number(raw))) return Number(raw)
  const sec = headers?.get('retry-after') ?? undefined
  if (sec === undefined) return undefined
  const n = Number(sec)
  if (Number.isFinite(n)) return n * 1000
  const date = Date.parse(sec)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

function short(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s
}

/** Resolves `true` after `ms`, or `false` at once when the caller aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false)
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      resolve(false)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

async function probe(
  client: OpenAI,
  model: string,
  baseUrl: string,
  timeoutMs: number,
): Promise<{ ok: boolean; reason: string | null }> {
  try {
    const page = await client.models.list({ timeout: timeoutMs, maxRetries: 0 })
    const ids = page.data.map((m) => m.id)
    if (ids.length > 0 && !ids.includes(model))
      return { ok: false, reason: `model "${model}" is not offered by ${baseUrl}` }
    return { ok: true, reason: null }
  } catch (err) {
    if (err instanceof APIError && err.status === 404) {
      // Some compatible servers have no /models endpoint; they answered, so they are reachable.
      return { ok: true, reason: null }
    }
    if (err instanceof APIError && (err.status === 401 || err.status === 403))
      return { ok: false, reason: `${baseUrl} rejected the API key (HTTP ${err.status})` }
    if (err instanceof APIError && err.status !== undefined)
      return { ok: false, reason: `${baseUrl} answered HTTP ${err.status}` }
    if (err instanceof OpenAI.APIConnectionTimeoutError)
      return { ok: false, reason: `${baseUrl} did not answer within ${timeoutMs} ms` }
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : ''
    return { ok: false, reason: `cannot reach ${baseUrl}${cause}` }
  }
}
