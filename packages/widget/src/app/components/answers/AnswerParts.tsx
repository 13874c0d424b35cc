import type { AnswerSource } from '../../chat/endpoints.ts'
import type { ChatMessage } from '../../chat/types.ts'
import { safeHref } from '../../markdown.ts'
import { useApp } from '../context.ts'
import { strokeSvg } from '../icons.tsx'
import { usePart } from '../lazy.ts'
import styles from './answers.css?inline'

/** Votes, "resolved" and the satisfaction question: their own chunk, loaded when offered. */
export const loadFeedback = () => import('../feedback/Feedback.tsx')

/** This part's styles (added to the shadow root when it loads). */
export const css = styles

const svg = (d: string) => strokeSvg(d)
const BOOK = 'M4 19.5V5a2 2 0 0 1 2-2h13.5v15H6a2 2 0 0 0-2 2 2 2 0 0 0 2 2h13.5M8 7.5h7.5M8 11h5'
const EXTERNAL =
  'M14 4h6v6M20 4l-9 9M18 14v4.5a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 4 18.5v-11A1.5 1.5 0 0 1 5.5 6H10'

/** The link of a source: http(s) only. */
const pageOf = (url: string | undefined) =>
  url && /^https?:\/\//i.test(url) ? safeHref(url) : undefined

/**
 * The articles a reply was answered from, as cards: a link to the article's page (new tab) when
 * it has one (http/https only), else the title alone.
 */
export function SourceCards({ sources }: { sources: AnswerSource[] }) {
  const { t } = useApp()
  return (
    <ul class="aw-srcs" aria-label={t.sources}>
      {sources
        .filter((s) => typeof s?.title === 'string')
        .map((s) => {
          const href = pageOf(s.url)
          const inner = (
            <>
              <span class="aw-file-ic">{svg(BOOK)}</span>
              <span class="aw-file-txt">
                <b>{s.title}</b>
                <span>{href ? new URL(href).host : t.helpArticle}</span>
              </span>
              {href && <span class="aw-src-go">{svg(EXTERNAL)}</span>}
            </>
          )
          return (
            <li key={`${s.title}\n${s.url ?? ''}`}>
              {href ? (
                <a class="aw-src" href={href} target="_blank" rel="noopener noreferrer">
                  {inner}
                </a>
              ) : (
                <div class="aw-src">{inner}</div>
              )}
            </li>
          )
        })}
    </ul>
  )
}

/** Questions the latest reply offers next: each button sends its question. */
export function FollowUps({ items }: { items: string[] }) {
  const { session, t } = useApp()
  return (
    <ul class="aw-fu" aria-label={t.followUps}>
      {items
        .filter((q) => typeof q === 'string')
        .map((q) => (
          <li key={q}>
            <button type="button" class="aw-chip" onClick={() => void session.send(q)}>
              {q}
            </button>
          </li>
        ))}
    </ul>
  )
}

/**
 * What follows a complete reply: its sources; in the live thread, under the assistant's stored
 * answers, the votes (when the tenant has them on; the newest answer also offers "resolved" when
 * the satisfaction question is on); and under the newest reply its follow-up questions.
 */
export function After({ m, newest }: { m: ChatMessage; newest: boolean }) {
  const { host, session } = useApp()
  const { feedback_enabled, csat_enabled } = host.config
  const live =
    m.role === 'assistant' && !!m.serverId && session.state.messages.some((x) => x.key === m.key)
  const wanted = live && (feedback_enabled !== false || (newest && csat_enabled !== false))
  const fb = usePart(loadFeedback, wanted)
  return (
    <>
      {m.sources && m.sources.length > 0 && <SourceCards sources={m.sources} />}
      {fb && wanted && <fb.Votes m={m} newest={newest} />}
      {newest && m.followUps && m.followUps.length > 0 && <FollowUps items={m.followUps} />}
    </>
  )
}
