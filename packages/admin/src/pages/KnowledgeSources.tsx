import type { KnowledgeSource, KnowledgeSourceList } from '@aurion/contract'
import { useEffect, useRef, useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { Badge, LoadError, Loading } from '../components/Bits.tsx'
import { Icon } from '../components/Icon.tsx'
import { ConfirmDialog } from '../components/Modal.tsx'
import { useApp } from '../lib/app-context.ts'
import { absoluteTime, hostOf, relativeTime } from '../lib/format.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage, useAsync } from '../lib/use-async.ts'
import { SourceDialog } from './SourceDialog.tsx'
import './knowledge-sources.css'

/** How often the list is read again while a sync is queued or running. */
const POLL_MS = 1500

const busy = (s: KnowledgeSource) => s.status === 'queued' || s.status === 'running'

/**
 * Sources: websites and sitemaps the assistant learns from, each with its sync progress, the
 * pages it imported and the errors of its last sync; re-sync and remove (with its articles).
 * `onChanged` is called when articles may have changed (a sync finished, a source removed).
 */
export function KnowledgeSources({ onChanged }: { onChanged: () => void }) {
  const { api } = useApp()
  const list = useAsync(() => api.send<KnowledgeSourceList>(endpoints.listSources()), [api])
  const [adding, setAdding] = useState(false)
  const [removing, setRemoving] = useState<KnowledgeSource | undefined>(undefined)
  const [removeBusy, setRemoveBusy] = useState(false)
  const [open, setOpen] = useState<string | undefined>(undefined)
  const items = list.data?.items ?? []
  const anyBusy = items.some(busy)
  const wasBusy = useRef(false)

  // While a sync is under way the list is read again; when the last one ends, articles changed.
  useEffect(() => {
    if (wasBusy.current && !anyBusy) onChanged()
    wasBusy.current = anyBusy
    if (!anyBusy) return
    const t = setTimeout(() => void list.reload(), POLL_MS)
    return () => clearTimeout(t)
  }, [list.data])

  const sync = async (s: KnowledgeSource) => {
    try {
      await api.send(endpoints.syncSource(s.id))
      toast.success(`Syncing ${hostOf(s.url)}: only changed pages are updated`)
      void list.reload()
    } catch (err) {
      toast.error(`Not synced: ${errorMessage(err)}`)
    }
  }

  return (
    <section class="card card-flush sources-card" aria-labelledby="sources-title">
      <header class="card-head card-head-pad">
        <div>
          <h2 id="sources-title">Sources</h2>
          <p>Websites and sitemaps imported as articles, kept in sync. Answers cite their page.</p>
        </div>
        <button type="button" class="btn btn-secondary" onClick={() => setAdding(true)}>
          <Icon name="globe" size={16} />
          Add a source
        </button>
      </header>
      {list.error && !list.data && (
        <LoadError message={list.error} onRetry={() => void list.reload()} />
      )}
      {!list.data && !list.error && <Loading label="Loading sources…" lines={2} />}
      {list.data && items.length === 0 && (
        <p class="sources-empty">
          No sources yet. Add your help site or its sitemap and the assistant learns from every
          page.
        </p>
      )}
      {items.length > 0 && (
        <ul class="source-list">
          {items.map((s) => (
            <SourceRow
              key={s.id}
              source={s}
              expanded={open === s.id}
              onToggle={() => setOpen(open === s.id ? undefined : s.id)}
              onSync={() => void sync(s)}
              onRemove={() => setRemoving(s)}
            />
          ))}
        </ul>
      )}

      {adding && (
        <SourceDialog
          onClose={() => setAdding(false)}
          onAdded={(s) => {
            setAdding(false)
            setOpen(s.id)
            toast.success(`Importing ${hostOf(s.url)}…`)
            void list.reload()
          }}
        />
      )}
      <ConfirmDialog
        open={removing !== undefined}
        danger
        busy={removeBusy}
        title={`Remove ${removing ? hostOf(removing.url) : ''}?`}
        confirmLabel="Remove source and its articles"
        description={
          <p>
            The articles imported from <strong>{removing?.url}</strong> are deleted with it, and the
            assistant stops answering from them. Articles you wrote yourself stay.
          </p>
        }
        onClose={() => setRemoving(undefined)}
        onConfirm={async () => {
          if (!removing) return
          setRemoveBusy(true)
          try {
            await api.send(endpoints.deleteSource(removing.id))
            toast.success(`${hostOf(removing.url)} removed with its articles`)
            setRemoving(undefined)
            void list.reload()
            onChanged()
          } catch (err) {
            toast.error(`Not removed: ${errorMessage(err)}`)
          } finally {
            setRemoveBusy(false)
          }
        }}
      />
    </section>
  )
}

function SourceRow({
  source: s,
  expanded,
  onToggle,
  onSync,
  onRemove,
}: {
  source: KnowledgeSource
  expanded: boolean
  onToggle: () => void
  onSync: () => void
  onRemove: () => void
}) {
  const done = s.pages_imported + s.pages_unchanged + s.errors.length
  const pct = s.pages_found > 0 ? Math.min(100, Math.round((done / s.pages_found) * 100)) : 0
  const detailsId = `source-${s.id}`
  return (
    <li class="source-row" data-status={s.status}>
      <div class="source-main">
        <div class="source-title">
          <Badge tone="neutral">{s.type === 'website' ? 'Website' : 'Sitemap'}</Badge>
          <a class="source-url" href={s.url} target="_blank" rel="noopener noreferrer">
            {s.url}
          </a>
        </div>
        <div class="source-status">
          <StatusBadge source={s} />
          <span class="muted">
            {s.pages_imported} imported · {s.pages_unchanged} unchanged
            {s.errors.length > 0 && ` · ${s.errors.length} with errors`}
            {s.last_synced_at && (
              <span title={absoluteTime(s.last_synced_at)}>
                {' '}
                · synced {relativeTime(s.last_synced_at)}
              </span>
            )}
          </span>
        </div>
        {busy(s) && (
          <div
            class="progress-bar source-progress"
            role="progressbar"
            aria-label={`Sync of ${s.url}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={s.status === 'running' ? pct : undefined}
            aria-valuetext={
              s.status === 'queued' ? 'Waiting to start' : `${done} of ${s.pages_found} pages`
            }
          >
            <span
              class={s.status === 'queued' ? 'indeterminate' : undefined}
              style={{ width: s.status === 'queued' ? undefined : `${Math.max(pct, 3)}%` }}
            />
          </div>
        )}
      </div>
      <div class="source-actions">
        <button
          type="button"
          class="btn btn-secondary btn-sm"
          aria-expanded={expanded}
          aria-controls={detailsId}
          onClick={onToggle}
        >
          {expanded ? 'Hide pages' : 'Pages'}
        </button>
        <button
          type="button"
          class="icon-btn"
          aria-label={`Sync ${s.url} now`}
          title="Sync now"
          disabled={s.status === 'queued'}
          onClick={onSync}
        >
          <Icon name="refresh" size={16} />
        </button>
        <button
          type="button"
          class="icon-btn danger-text"
          aria-label={`Remove ${s.url}`}
          title="Remove"
          onClick={onRemove}
        >
          <Icon name="trash" size={16} />
        </button>
      </div>
      {expanded && <SourceDetails id={detailsId} source={s} />}
    </li>
  )
}

function StatusBadge({ source: s }: { source: KnowledgeSource }) {
  switch (s.status) {
    case 'queued':
      return <Badge tone="blue">Queued</Badge>
    case 'running':
      return <Badge tone="blue">Importing…</Badge>
    case 'failed':
      return <Badge tone="red">Failed</Badge>
    default:
      return s.errors.length > 0 ? (
        <Badge tone="amber">Done with errors</Badge>
      ) : (
        <Badge tone="green">Up to date</Badge>
      )
  }
}

/** The pages a source imported and the errors of its last sync (read again as it progresses). */
function SourceDetails({ id, source }: { id: string; source: KnowledgeSource }) {
  const { api } = useApp()
  const detail = useAsync(
    () => api.send<KnowledgeSource>(endpoints.getSource(source.id)),
    [api, source.id, source.updated_at],
  )
  const pages = detail.data?.pages ?? []
  const errors = detail.data?.errors ?? source.errors
  return (
    <div id={id} class="source-details">
      {detail.error && !detail.data && (
        <LoadError message={detail.error} onRetry={() => void detail.reload()} />
      )}
      {errors.length > 0 && (
        <div class="source-errors">
          <h3>
            <Icon name="alert" size={14} /> Not imported
          </h3>
          <ul>
            {errors.map((e) => (
              <li key={e.url}>
                <span class="source-page-url">{e.url}</span>
                <span class="source-error">{e.error}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {detail.data && (
        <div class="source-pages">
          <h3>
            {pages.length} {pages.length === 1 ? 'page' : 'pages'} imported
          </h3>
          {pages.length > 0 && (
            <ul>
              {pages.map((p) => (
                <li key={p.url}>
                  <span class="source-page-title">{p.title ?? p.url}</span>
                  <a class="source-page-url" href={p.url} target="_blank" rel="noopener noreferrer">
                    {p.url}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  )
}
