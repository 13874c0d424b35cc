import {
  KNOWLEDGE_SOURCE_LIMITS,
  type KnowledgeSource,
  type KnowledgeSourceType,
} from '@aurion/contract'
import { useState } from 'preact/hooks'
import { ApiRequestError } from '../api/client.ts'
import { endpoints } from '../api/endpoints.ts'
import { Field, Segmented, SubmitButton, TextField } from '../components/Field.tsx'
import { Icon } from '../components/Icon.tsx'
import { Modal } from '../components/Modal.tsx'
import { useApp } from '../lib/app-context.ts'
import { errorMessage } from '../lib/use-async.ts'

const TYPES = [
  { value: 'website', label: 'Website' },
  { value: 'sitemap', label: 'Sitemap' },
] as const

/** How often a source syncs again by itself (hours; '' = only when asked). */
const RESYNC = [
  { value: '', label: 'Only when I ask' },
  { value: '24', label: 'Every day' },
  { value: '168', label: 'Every week' },
  { value: '720', label: 'Every 30 days' },
] as const

/** The "Add a source" form: a website or a sitemap, how many pages, how often to re-sync. */
export function SourceDialog({
  onClose,
  onAdded,
}: {
  onClose: () => void
  onAdded: (s: KnowledgeSource) => void
}) {
  const { api } = useApp()
  const [type, setType] = useState<KnowledgeSourceType>('website')
  const [url, setUrl] = useState('')
  const [maxPages, setMaxPages] = useState(String(KNOWLEDGE_SOURCE_LIMITS.maxPages.default))
  const [resync, setResync] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const { min, max } = KNOWLEDGE_SOURCE_LIMITS.maxPages

  const submit = async (e: Event) => {
    e.preventDefault()
    const errs: Record<string, string> = {}
    if (!url.trim()) errs.url = 'Required'
    const pages = Number(maxPages)
    if (!Number.isInteger(pages) || pages < min || pages > max)
      errs.max_pages = `A whole number from ${min} to ${max}`
    setErrors(errs)
    setFormError(undefined)
    if (Object.keys(errs).length > 0) return
    setBusy(true)
    try {
      const added = await api.send<KnowledgeSource>(
        endpoints.addSource({
          type,
          url: url.trim(),
          max_pages: pages,
          resync_hours: resync === '' ? null : Number(resync),
        }),
      )
      onAdded(added)
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 422 && err.issues.length > 0) {
        const m: Record<string, string> = {}
        for (const i of err.issues) m[String(i.loc[1] ?? 'url')] ??= i.msg
        setErrors(m)
      } else setFormError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      open
      title="Add a source"
      description="The assistant learns from its pages: they become articles, kept in sync, each citing its page."
      onClose={onClose}
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <SubmitButton busy={busy} form="source-form">
            Add and import
          </SubmitButton>
        </>
      }
    >
      <form id="source-form" class="stack" onSubmit={submit} noValidate>
        <Segmented
          label="What to import"
          value={type}
          options={TYPES}
          onChange={setType}
          hint={
            type === 'website'
              ? 'The page and the pages it links to on the same site.'
              : 'Every page a sitemap lists (a sitemap index too).'
          }
        />
        <TextField
          label={type === 'website' ? 'Start page' : 'Sitemap address'}
          name="url"
          type="url"
          value={url}
          error={errors.url}
          placeholder={
            type === 'website' ? 'https://help.example.com/' : 'https://example.com/sitemap.xml'
          }
          hint="The crawler obeys robots.txt and never leaves the site."
          inputProps={{ inputMode: 'url', spellcheck: false }}
          onInput={setUrl}
        />
        <div class="source-form-row">
          <TextField
            label="Pages at most"
            name="max_pages"
            type="number"
            value={maxPages}
            error={errors.max_pages}
            inputProps={{ inputMode: 'numeric' }}
            onInput={setMaxPages}
          />
          <Field label="Sync again" error={errors.resync_hours}>
            {({ id, describedBy, invalid }) => (
              <select
                id={id}
                name="resync_hours"
                class="input"
                value={resync}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                onChange={(e) => setResync(e.currentTarget.value)}
              >
                {RESYNC.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {formError && (
          <p class="field-error" role="alert">
            <Icon name="alert" size={14} />
            <span>{formError}</span>
          </p>
        )}
      </form>
    </Modal>
  )
}
