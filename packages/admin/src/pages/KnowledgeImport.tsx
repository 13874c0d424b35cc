import {
  KNOWLEDGE_SOURCE_LIMITS,
  type KnowledgeArticle,
  type KnowledgeImportResponse,
} from '@aurion/contract'
import { useRef, useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { Badge } from '../components/Bits.tsx'
import { Icon } from '../components/Icon.tsx'
import { useApp } from '../lib/app-context.ts'
import { formatBytes } from '../lib/format.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage } from '../lib/use-async.ts'
import './knowledge-import.css'

/** What the file picker offers (the server decides: anything else is refused with its reason). */
const ACCEPT =
  '.pdf,.docx,.html,.htm,.md,.markdown,.txt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/html,text/markdown,text/plain'
const MAX_BYTES = KNOWLEDGE_SOURCE_LIMITS.importBytes
const MAX_MB = Math.round(MAX_BYTES / (1024 * 1024))

type Upload = {
  key: number
  name: string
  size: number
} & (
  | { state: 'sending'; sent: number }
  | { state: 'reading' }
  | { state: 'done'; articles: KnowledgeArticle[] }
  | { state: 'failed'; error: string }
)

/**
 * Import documents: drop files (or choose them) and each is sent to `POST /knowledge/import`
 * in turn, with its progress, then the articles it became (or the server's reason for refusing
 * it). `onImported` is called after each document that became articles.
 */
export function KnowledgeImport({
  onImported,
  onOpen,
}: {
  onImported: () => void
  onOpen: (article: KnowledgeArticle) => void
}) {
  const { api } = useApp()
  const [uploads, setUploads] = useState<Upload[]>([])
  const [dragging, setDragging] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const nextKey = useRef(1)
  const queue = useRef(Promise.resolve())

  const update = (key: number, patch: Partial<Upload> & Pick<Upload, 'state'>) =>
    setUploads((list) => list.map((u) => (u.key === key ? ({ ...u, ...patch } as Upload) : u)))

  const send = async (key: number, file: File) => {
    update(key, { state: 'sending', sent: 0 })
    try {
      const res = await api.upload<KnowledgeImportResponse>(
        endpoints.importDocument(file),
        (sent, total) =>
          update(key, sent < total ? { state: 'sending', sent } : { state: 'reading' }),
      )
      update(key, { state: 'done', articles: res.items })
      onImported()
    } catch (err) {
      update(key, { state: 'failed', error: errorMessage(err) })
    }
  }

  const take = (files: FileList | null | undefined) => {
    const list = [...(files ?? [])]
    if (list.length === 0) return
    const added: Upload[] = []
    for (const file of list) {
      const key = nextKey.current++
      if (file.size > MAX_BYTES) {
        added.push({
          key,
          name: file.name,
          size: file.size,
          state: 'failed',
          error: `File too large: at most ${MAX_MB} MB`,
        })
        continue
      }
      added.push({ key, name: file.name, size: file.size, state: 'sending', sent: 0 })
      // One document at a time: each is parsed on the server, and progress stays readable.
      queue.current = queue.current.then(() => send(key, file))
    }
    setUploads((u) => [...added.reverse(), ...u])
    if (list.length > 1) toast.info(`Importing ${list.length} documents…`)
  }

  const isFinished = (u: Upload) => u.state === 'done' || u.state === 'failed'
  const finished = uploads.some(isFinished)
  return (
    <section class="card card-flush import-card" aria-labelledby="import-title">
      <header class="card-head card-head-pad">
        <div>
          <h2 id="import-title">Documents</h2>
          <p>
            PDF, Word (DOCX), HTML, Markdown and text files become articles. Answers from them name
            the file.
          </p>
        </div>
        {finished && (
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            onClick={() => setUploads((list) => list.filter((u) => !isFinished(u)))}
          >
            Clear list
          </button>
        )}
      </header>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target for the mouse; the button is the keyboard path */}
      <div
        class={dragging ? 'import-drop dragging' : 'import-drop'}
        data-testid="import-drop"
        onDragOver={(e) => {
          e.preventDefault()
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault()
          setDragging(false)
          take(e.dataTransfer?.files)
        }}
      >
        <span class="import-drop-icon" aria-hidden="true">
          <Icon name="upload" size={20} />
        </span>
        <div class="import-drop-text">
          <p>
            <strong>Drop documents here</strong> or choose them
          </p>
          <p class="field-hint" id="import-hint">
            Up to {MAX_MB} MB each. A long document is split at its sections.
          </p>
        </div>
        <input
          ref={input}
          id="import-file"
          type="file"
          multiple
          accept={ACCEPT}
          class="sr-only"
          aria-label="Documents to import"
          aria-describedby="import-hint"
          tabIndex={-1}
          onChange={(e) => {
            take(e.currentTarget.files)
            e.currentTarget.value = ''
          }}
        />
        <button type="button" class="btn btn-secondary" onClick={() => input.current?.click()}>
          <Icon name="paperclip" size={16} />
          Choose files
        </button>
      </div>
      {uploads.length > 0 && (
        <ul class="import-list" aria-live="polite" aria-label="Imported documents">
          {uploads.map((u) => (
            <UploadRow key={u.key} upload={u} onOpen={onOpen} />
          ))}
        </ul>
      )}
    </section>
  )
}

function UploadRow({
  upload: u,
  onOpen,
}: {
  upload: Upload
  onOpen: (article: KnowledgeArticle) => void
}) {
  const pct = u.state === 'sending' && u.size > 0 ? Math.round((u.sent / u.size) * 100) : 0
  return (
    <li class={`import-row import-${u.state}`}>
      <div class="import-head">
        <span class="import-name" title={u.name}>
          {u.name}
        </span>
        <span class="import-size muted">{formatBytes(u.size)}</span>
        {u.state === 'sending' && <Badge tone="blue">Uploading {Math.min(pct, 99)}%</Badge>}
        {u.state === 'reading' && <Badge tone="blue">Reading…</Badge>}
        {u.state === 'done' && (
          <Badge tone="green">
            {u.articles.length === 1 ? '1 article' : `${u.articles.length} articles`}
          </Badge>
        )}
        {u.state === 'failed' && <Badge tone="red">Not imported</Badge>}
      </div>
      {(u.state === 'sending' || u.state === 'reading') && (
        <div
          class="progress-bar"
          role="progressbar"
          aria-label={`Uploading ${u.name}`}
          aria-valuemin={0}
          aria-valuemax={100}
          {...(u.state === 'sending' ? { 'aria-valuenow': pct } : {})}
        >
          <span
            class={u.state === 'reading' ? 'indeterminate' : undefined}
            style={u.state === 'sending' ? { width: `${pct}%` } : undefined}
          />
        </div>
      )}
      {u.state === 'failed' && (
        <p class="import-error" role="alert">
          <Icon name="alert" size={14} />
          {u.error}
        </p>
      )}
      {u.state === 'done' && (
        <ul class="import-articles">
          {u.articles.map((a) => (
            <li key={a.id}>
              <Icon name="book" size={14} />
              <button type="button" class="link-btn" onClick={() => onOpen(a)}>
                {a.title}
              </button>
              {a.status === 'draft' && <Badge>Draft</Badge>}
            </li>
          ))}
        </ul>
      )}
    </li>
  )
}
