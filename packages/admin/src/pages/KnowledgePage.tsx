import {
  ARTICLE_LIMITS,
  type KnowledgeArticle,
  type KnowledgeArticleList,
  type KnowledgeSearchResponse,
} from '@aurion/contract'
import { useEffect, useRef, useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { Badge, EmptyState, LoadError, Loading, PageHeader } from '../components/Bits.tsx'
import { Icon } from '../components/Icon.tsx'
import { ConfirmAction } from '../components/Modal.tsx'
import { Pager } from '../components/Pager.tsx'
import { useApp } from '../lib/app-context.ts'
import { absoluteTime, hostOf, relativeTime } from '../lib/format.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage, useAsync } from '../lib/use-async.ts'
import { usePagedSearch } from '../lib/use-search.ts'
import { ArticleEditor } from './ArticleEditor.tsx'
import { KnowledgeImport } from './KnowledgeImport.tsx'
import { KnowledgeSources } from './KnowledgeSources.tsx'

const PAGE = 20

/** Knowledge: the articles the built-in assistant answers from, and a box to try questions. */
export function KnowledgePage() {
  const { api } = useApp()
  const { q, setQ, query, offset, setOffset } = usePagedSearch()
  const list = useAsync(
    () => api.send<KnowledgeArticleList>(endpoints.listArticles({ q: query, limit: PAGE, offset })),
    [api, query, offset],
  )
  // `/knowledge?title=…` opens a new article with that title (e.g. from an unanswered question).
  const [prefill, setPrefill] = useState(() => takeTitleParam())
  const [editing, setEditing] = useState<KnowledgeArticle | 'new' | undefined>(
    prefill === undefined ? undefined : 'new',
  )
  const [deleting, setDeleting] = useState<KnowledgeArticle | undefined>(undefined)
  const [tryRevision, setTryRevision] = useState(0)

  const items = list.data?.items ?? []
  const total = list.data?.total ?? 0
  const changed = () => {
    void list.reload()
    setTryRevision((r) => r + 1)
  }

  return (
    <div class="page page-wide">
      <PageHeader
        breadcrumb="Assistant"
        title="Knowledge"
        description="The articles the assistant answers from. It quotes the most relevant section and names the article, and says so when it does not know."
        actions={
          <button type="button" class="btn btn-primary" onClick={() => setEditing('new')}>
            <Icon name="plus" size={16} />
            New article
          </button>
        }
      />
      <KnowledgeSources onChanged={changed} />
      <KnowledgeImport onImported={changed} onOpen={setEditing} />
      <div class="knowledge-layout">
        <section class="card card-flush" aria-labelledby="articles-title" aria-busy={list.loading}>
          <header class="card-head card-head-pad">
            <div>
              <h2 id="articles-title">Articles</h2>
              <p>
                {list.data
                  ? `${total} ${total === 1 ? 'article' : 'articles'}${query ? ` matching “${query}”` : ''}`
                  : ' '}
              </p>
            </div>
            <div class="search-box">
              <Icon name="search" size={16} class="search-icon" />
              <label class="sr-only" for="kb-search">
                Search articles
              </label>
              <input
                id="kb-search"
                type="search"
                class="input"
                placeholder="Search articles"
                value={q}
                onInput={(e) => setQ(e.currentTarget.value)}
              />
            </div>
          </header>
          {list.error && !list.data && (
            <LoadError message={list.error} onRetry={() => void list.reload()} />
          )}
          {!list.data && !list.error && <Loading label="Loading articles…" lines={6} />}
          {list.data && items.length === 0 && !query && (
            <EmptyState
              icon="book"
              title="No articles yet"
              action={
                <button type="button" class="btn btn-primary" onClick={() => setEditing('new')}>
                  <Icon name="plus" size={16} />
                  Write the first article
                </button>
              }
            >
              Without articles the assistant can only say it does not know. Start with the questions
              visitors ask most.
            </EmptyState>
          )}
          {list.data && items.length === 0 && query && (
            <EmptyState icon="search" title="No matching articles">
              No article contains every word of “{query}”.
            </EmptyState>
          )}
          {items.length > 0 && (
            <ul class="article-list">
              {items.map((a) => (
                <li key={a.id} class="article-row">
                  <button type="button" class="article-main" onClick={() => setEditing(a)}>
                    <span class="article-title">
                      {a.title} {a.status === 'draft' && <Badge>Draft</Badge>}
                    </span>
                    <span class="article-excerpt">
                      {a.body.replace(/^##\s+/gm, '').slice(0, 160)}
                    </span>
                    <span class="article-meta">
                      {(a.source_url || a.source_file) && (
                        <span class="chip" title={a.source_url ?? a.source_file ?? ''}>
                          {a.source_url ? `From ${hostOf(a.source_url)}` : a.source_file}
                        </span>
                      )}
                      {a.tags.slice(0, 5).map((t) => (
                        <span class="chip" key={t}>
                          {t}
                        </span>
                      ))}
                      <span class="muted" title={absoluteTime(a.updated_at)}>
                        Updated {relativeTime(a.updated_at)}
                      </span>
                    </span>
                  </button>
                  <div class="article-actions">
                    <button
                      type="button"
                      class="icon-btn"
                      aria-label={`Edit ${a.title}`}
                      onClick={() => setEditing(a)}
                    >
                      <Icon name="edit" size={16} />
                    </button>
                    <button
                      type="button"
                      class="icon-btn danger-text"
                      aria-label={`Delete ${a.title}`}
                      onClick={() => setDeleting(a)}
                    >
                      <Icon name="trash" size={16} />
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          )}
          <Pager
            label="Article pages"
            offset={offset}
            pageSize={PAGE}
            total={total}
            onOffset={setOffset}
          />
        </section>
        <TryQuestion
          revision={tryRevision}
          onOpen={(id) => {
            const a = items.find((x) => x.id === id)
            if (a) setEditing(a)
            else
              api
                .send<KnowledgeArticle>(endpoints.getArticle(id))
                .then(setEditing, (err) => toast.error(errorMessage(err)))
          }}
        />
      </div>

      {editing !== undefined && (
        <ArticleEditor
          article={editing === 'new' ? undefined : editing}
          initialTitle={editing === 'new' ? prefill : undefined}
          onClose={() => {
            setEditing(undefined)
            setPrefill(undefined)
          }}
          onSaved={(a, created) => {
            setEditing(undefined)
            setPrefill(undefined)
            toast.success(
              created
                ? `“${a.title}” published. The assistant can use it now.`
                : `“${a.title}” saved`,
            )
            changed()
          }}
        />
      )}

      <ConfirmAction
        target={deleting}
        danger
        title={`Delete “${deleting?.title ?? ''}”?`}
        confirmLabel="Delete article"
        description={<p>The assistant stops answering from it at once. This cannot be undone.</p>}
        onClose={() => setDeleting(undefined)}
        failure="Not deleted"
        action={async (a) => {
          await api.send(endpoints.deleteArticle(a.id))
          toast.success(`“${a.title}” deleted`)
          changed()
        }}
      />
    </div>
  )
}

/** The `title` query parameter, removed from the address so a reload does not reopen it. */
function takeTitleParam(): string | undefined {
  const params = new URLSearchParams(location.search)
  const title = params.get('title')?.trim().slice(0, ARTICLE_LIMITS.title.max)
  if (params.has('title')) {
    params.delete('title')
    const rest = params.toString()
    history.replaceState(history.state, '', location.pathname + (rest ? `?${rest}` : ''))
  }
  return title || undefined
}

function TryQuestion({ revision, onOpen }: { revision: number; onOpen: (id: string) => void }) {
  const { api } = useApp()
  const [question, setQuestion] = useState('')
  const [result, setResult] = useState<KnowledgeSearchResponse | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const last = useRef('')

  const ask = async (text: string) => {
    if (!text.trim()) return
    setBusy(true)
    setError(undefined)
    last.current = text
    try {
      setResult(await api.send<KnowledgeSearchResponse>(endpoints.searchKnowledge(text.trim())))
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  // After an article changes, the last question is asked again: the answer may have moved.
  useEffect(() => {
    if (revision > 0 && last.current) void ask(last.current)
  }, [revision])

  const best = result?.results.find((r) => r.confident)
  return (
    <section class="card try-card" aria-labelledby="try-title">
      <header class="card-head">
        <div>
          <h2 id="try-title">
            <Icon name="sparkles" size={18} /> Try a question
          </h2>
          <p>See which article the assistant would answer from.</p>
        </div>
      </header>
      <form
        class="try-form"
        onSubmit={(e) => {
          e.preventDefault()
          void ask(question)
        }}
      >
        <label class="sr-only" for="try-q">
          Question
        </label>
        <input
          id="try-q"
          class="input"
          placeholder="How do I reset my password?"
          value={question}
          maxLength={4000}
          onInput={(e) => setQuestion(e.currentTarget.value)}
        />
        <button
          type="submit"
          class="btn btn-primary"
          disabled={busy || !question.trim()}
          aria-busy={busy}
        >
          {busy && <span class="spinner" aria-hidden="true" />}
          Ask
        </button>
      </form>
      <div aria-live="polite" class="try-results">
        {error && <p class="field-error">{error}</p>}
        {result && result.results.length === 0 && (
          <div class="try-none">
            <Icon name="info" size={16} />
            <p>
              No article matches. The assistant would say it does not know and offer to pass the
              question on. Write an article that answers it.
            </p>
          </div>
        )}
        {result && result.results.length > 0 && (
          <>
            <p class="try-summary">
              {best ? (
                <>
                  The assistant would answer from <strong>{best.title}</strong>.
                </>
              ) : (
                'No article is a confident match: the assistant would say it is not sure and offer these.'
              )}
            </p>
            <ol class="hits">
              {result.results.map((h) => (
                <li key={h.id} class={h === best ? 'hit hit-best' : 'hit'}>
                  <div class="hit-head">
                    <button type="button" class="link-btn hit-title" onClick={() => onOpen(h.id)}>
                      {h.title}
                    </button>
                    {h === best ? (
                      <Badge tone="green">Would answer</Badge>
                    ) : h.confident ? (
                      <Badge tone="blue">Strong match</Badge>
                    ) : (
                      <Badge>Related</Badge>
                    )}
                  </div>
                  <p class="hit-excerpt">{h.excerpt}</p>
                  <p class="hit-meta">
                    {Math.round(h.coverage * 100)}% of the question’s words ·{' '}
                    {h.similarity === undefined
                      ? `score ${h.score.toFixed(1)}`
                      : `similarity ${h.similarity.toFixed(2)} (hybrid search)`}
                  </p>
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
    </section>
  )
}
