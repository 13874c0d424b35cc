import { HELP_CENTER_LIMITS, type HelpCenterSettings } from '@aurion/contract'
import { useEffect, useState } from 'preact/hooks'
import { ApiRequestError } from '../api/client.ts'
import { endpoints } from '../api/endpoints.ts'
import { LoadError, Loading, PageHeader } from '../components/Bits.tsx'
import { SubmitButton, TextField, Toggle } from '../components/Field.tsx'
import { Icon } from '../components/Icon.tsx'
import { useApp } from '../lib/app-context.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage } from '../lib/use-async.ts'

interface Draft {
  enabled: boolean
  slug: string
  title: string
  description: string
  logo_url: string
  primary_color: string
}

const EMPTY: Draft = {
  enabled: false,
  slug: '',
  title: '',
  description: '',
  logo_url: '',
  primary_color: '',
}

type TextKey = Exclude<keyof Draft, 'enabled'>

/** Help Center: the public site of published articles — address, title, look, on/off. */
export function HelpCenterPage() {
  const { api } = useApp()
  const [saved, setSaved] = useState<HelpCenterSettings | undefined>(undefined)
  const [draft, setDraft] = useState<Draft>(EMPTY)
  const [loading, setLoading] = useState(true)
  const [loadError, setLoadError] = useState<string | undefined>(undefined)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)

  const load = async () => {
    setLoading(true)
    setLoadError(undefined)
    try {
      const s = await api.send<HelpCenterSettings>(endpoints.getHelpCenter())
      setSaved(s)
      setDraft({
        enabled: s.enabled,
        slug: s.slug,
        title: s.title,
        description: s.description ?? '',
        logo_url: s.logo_url ?? '',
        primary_color: s.primary_color ?? '',
      })
    } catch (err) {
      // 404: not set up yet — the form starts empty.
      if (!(err instanceof ApiRequestError && err.status === 404)) setLoadError(errorMessage(err))
    } finally {
      setLoading(false)
    }
  }
  useEffect(() => {
    void load()
  }, [api])

  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }))
  /** The props every text field shares: its name, its draft value, its error, its setter. */
  const bind = (key: TextKey) => ({
    name: key,
    value: draft[key],
    error: errors[key],
    onInput: (v: string) => setDraft((d) => ({ ...d, [key]: v })),
  })

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setErrors({})
    try {
      const s = await api.send<HelpCenterSettings>(
        endpoints.putHelpCenter({
          enabled: draft.enabled,
          slug: draft.slug.trim().toLowerCase(),
          title: draft.title.trim(),
          description: draft.description.trim() || null,
          logo_url: draft.logo_url.trim() || null,
          primary_color: draft.primary_color.trim() || null,
        }),
      )
      setSaved(s)
      toast.success(s.enabled ? 'Help Center saved and live' : 'Help Center saved (off)')
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 422) {
        const m: Record<string, string> = {}
        for (const i of err.issues) m[String(i.loc[1] ?? '')] ??= i.msg
        setErrors(m)
      } else if (err instanceof ApiRequestError && err.status === 409) {
        setErrors({ slug: err.detail })
      }
      toast.error(`Not saved: ${errorMessage(err)}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="page">
      <PageHeader
        breadcrumb="Assistant"
        title="Help Center"
        description="A public site with your published articles: search, categories, one page per article, and the assistant in the corner."
        actions={
          saved?.enabled ? (
            <a class="btn btn-secondary" href={saved.url} target="_blank" rel="noopener noreferrer">
              <Icon name="external" size={16} />
              Open the live site
            </a>
          ) : undefined
        }
      />
      {loading && <Loading label="Loading the Help Center…" lines={5} />}
      {loadError && <LoadError message={loadError} onRetry={() => void load()} />}
      {!loading && !loadError && (
        <form class="card stack" onSubmit={submit} noValidate aria-label="Help Center settings">
          <Toggle
            label="Published"
            description="Off: every Help Center page answers “not found”."
            checked={draft.enabled}
            onChange={(enabled) => set({ enabled })}
          />
          <TextField
            label="Address (slug)"
            {...bind('slug')}
            max={HELP_CENTER_LIMITS.slug.max}
            placeholder="acme"
            hint={
              saved
                ? `Live at ${saved.url}. Lowercase letters, digits and hyphens; also a subdomain.`
                : 'Lowercase letters, digits and hyphens, starting with a letter; also a subdomain.'
            }
          />
          <TextField
            label="Title"
            {...bind('title')}
            max={HELP_CENTER_LIMITS.title.max}
            placeholder="Acme Help Center"
          />
          <TextField
            label="Description"
            {...bind('description')}
            optional
            max={HELP_CENTER_LIMITS.description.max}
            placeholder="Guides and answers from the Acme team."
          />
          <TextField
            label="Logo URL"
            {...bind('logo_url')}
            optional
            type="url"
            placeholder="https://cdn.example.com/logo.svg"
          />
          <TextField
            label="Accent colour"
            {...bind('primary_color')}
            optional
            placeholder="#4f46e5"
            hint="#rrggbb"
          />
          <div class="modal-foot inline">
            <SubmitButton busy={busy}>Save</SubmitButton>
          </div>
        </form>
      )}
    </div>
  )
}
