import {
  ACCENT_THEMES,
  type GaReadinessResponse,
  type RegenerateKeyResponse,
  TEXT_LIMITS,
  toPublicConfig,
  type VoiceWidgetConfigResponse,
} from '@aurion/contract'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiRequestError } from '../api/client.ts'
import { endpoints } from '../api/endpoints.ts'
import { Badge, LoadError, Loading, PageHeader } from '../components/Bits.tsx'
import { Segmented, TextField, Toggle } from '../components/Field.tsx'
import { Icon } from '../components/Icon.tsx'
import { useApp } from '../lib/app-context.ts'
import { cx } from '../lib/format.ts'
import { setNavigationGuard } from '../lib/router.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage, useAsync } from '../lib/use-async.ts'
import { ColorField } from './ColorField.tsx'
import {
  type Draft,
  draftFromResponse,
  draftLocales,
  issuePath,
  sameDraft,
  toUpdate,
  validateDraft,
} from './draft.ts'
import { IdentitySection } from './IdentitySection.tsx'
import { InstallPanel, ReadinessPanel } from './InstallPanel.tsx'
import { LivePreview } from './LivePreview.tsx'
import { LogoField } from './LogoField.tsx'
import { OriginsEditor } from './OriginsEditor.tsx'
import { QuickActionsEditor } from './QuickActionsEditor.tsx'
import { TranslationsEditor } from './TranslationsEditor.tsx'
import { isTabId, TABS, type TabId, tabOf } from './tabs.ts'

/** Base colour of each accent theme, as the widget draws it. */
const ACCENT_SWATCH: Record<(typeof ACCENT_THEMES)[number], [string, string]> = {
  blue: ['#2563eb', '#1e40af'],
  emerald: ['#047857', '#065f46'],
  amber: ['#b45309', '#92400e'],
  slate: ['#334155', '#0f172a'],
}

function initialTab(): TabId {
  const t = new URLSearchParams(location.search).get('tab')
  return isTabId(t) ? t : 'content'
}

/** Configuration › Voice Widget: every setting, validated as the server does, with a live preview. */
export function WidgetConfigPage() {
  const { api } = useApp()
  const cfg = useAsync(() => api.send<VoiceWidgetConfigResponse>(endpoints.getConfig()), [api])
  const ga = useAsync(() => api.send<GaReadinessResponse>(endpoints.gaReadiness()), [api])
  const [saved, setSaved] = useState<Draft | undefined>(undefined)
  const [draft, setDraft] = useState<Draft | undefined>(undefined)
  const [serverIssues, setServerIssues] = useState<Record<string, string>>({})
  const [tab, setTabState] = useState<TabId>(initialTab)
  const [visibleLocales, setVisibleLocales] = useState<string[]>([])
  const [previewLocale, setPreviewLocale] = useState('')
  const [saving, setSaving] = useState(false)
  const loadedFor = useRef<VoiceWidgetConfigResponse | undefined>(undefined)

  useEffect(() => {
    if (!cfg.data || loadedFor.current === cfg.data) return
    const first = loadedFor.current === undefined
    loadedFor.current = cfg.data
    if (first) {
      const d = draftFromResponse(cfg.data)
      setSaved(d)
      setDraft(d)
      setVisibleLocales(draftLocales(d))
    }
  }, [cfg.data])

  const setTab = (t: TabId) => {
    setTabState(t)
    const url = new URL(location.href)
    if (t === 'content') url.searchParams.delete('tab')
    else url.searchParams.set('tab', t)
    history.replaceState(null, '', url.pathname + url.search)
  }

  const dirty = draft !== undefined && saved !== undefined && !sameDraft(draft, saved)
  const dirtyRef = useRef(dirty)
  dirtyRef.current = dirty

  useEffect(() => {
    const off = setNavigationGuard(
      () => !dirtyRef.current || confirm('You have unsaved changes. Leave and discard them?'),
    )
    const onUnload = (e: BeforeUnloadEvent) => {
      if (dirtyRef.current) e.preventDefault()
    }
    addEventListener('beforeunload', onUnload)
    return () => {
      off()
      removeEventListener('beforeunload', onUnload)
    }
  }, [])

  const clientIssues = useMemo(() => (draft ? validateDraft(draft) : []), [draft])
  const errors = useMemo(() => {
    const m: Record<string, string> = {}
    for (const i of clientIssues) m[issuePath(i.loc)] ??= i.msg
    return { ...m, ...serverIssues }
  }, [clientIssues, serverIssues])
  const errorFor = (path: string) => errors[path]
  const tabErrors = useMemo(() => {
    const counts: Partial<Record<TabId, number>> = {}
    for (const path of Object.keys(errors)) {
      const t = tabOf(path)
      counts[t] = (counts[t] ?? 0) + 1
    }
    return counts
  }, [errors])

  const update = (patch: Partial<Draft>) => {
    setDraft((d) => (d ? { ...d, ...patch } : d))
    const touched = Object.keys(patch)
    setServerIssues((s) => {
      const next = { ...s }
      let changed = false
      for (const k of Object.keys(next)) {
        if (touched.includes(k.split('.')[0]!)) {
          delete next[k]
          changed = true
        }
      }
      return changed ? next : s
    })
  }

  const save = async () => {
    if (!draft || saving) return
    if (clientIssues.length > 0) {
      const first = issuePath(clientIssues[0]!.loc)
      setTab(tabOf(first))
      toast.error(
        `Fix ${clientIssues.length === 1 ? 'the highlighted problem' : `${clientIssues.length} problems`} before saving`,
      )
      return
    }
    setSaving(true)
    try {
      const res = await api.send<VoiceWidgetConfigResponse>(endpoints.putConfig(toUpdate(draft)))
      const d = draftFromResponse(res)
      loadedFor.current = res
      cfg.setData(res)
      setSaved(d)
      setDraft(d)
      setServerIssues({})
      toast.success('Widget settings saved. Sites with the snippet use them now.')
      void ga.reload()
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 422 && err.issues.length > 0) {
        const m: Record<string, string> = {}
        for (const i of err.issues) m[issuePath(i.loc)] ??= i.msg
        setServerIssues(m)
        setTab(tabOf(issuePath(err.issues[0]!.loc)))
        toast.error(`Not saved: ${err.detail}`)
      } else toast.error(`Not saved: ${errorMessage(err)}`)
    } finally {
      setSaving(false)
    }
  }

  const discard = () => {
    if (!saved) return
    setDraft(saved)
    setServerIssues({})
    setVisibleLocales(draftLocales(saved))
  }

  const saveRef = useRef(save)
  saveRef.current = save
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === 's') {
        e.preventDefault()
        void saveRef.current()
      }
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [])

  if (cfg.error && !cfg.data) {
    return (
      <div class="page">
        <PageHeader title="Voice Widget" breadcrumb="Configuration" />
        <LoadError message={cfg.error} onRetry={() => void cfg.reload()} />
      </div>
    )
  }
  if (!cfg.data || !draft || !saved) {
    return (
      <div class="page">
        <PageHeader title="Voice Widget" breadcrumb="Configuration" />
        <Loading label="Loading widget settings…" lines={8} />
      </div>
    )
  }

  const server = cfg.data
  const voiceAvailable = ga.data?.checks.voice_configured?.passed ?? true
  const previewConfig = toPublicConfig(draft, voiceAvailable)
  const [swatch] = ACCENT_SWATCH[draft.accent_theme] ?? ACCENT_SWATCH.blue

  return (
    <div class="page page-wide">
      <PageHeader
        breadcrumb="Configuration"
        title="Voice Widget"
        description="How the assistant looks and behaves on your site, and where it may appear."
        actions={
          <>
            <Badge tone={saved.enabled ? 'green' : 'neutral'}>
              <span
                class={cx('dot', saved.enabled ? 'dot-green' : 'dot-grey')}
                aria-hidden="true"
              />
              {saved.enabled ? 'Live' : 'Turned off'}
            </Badge>
            {ga.data && (
              <button
                type="button"
                class={cx('pill-btn', ga.data.ready ? 'pill-green' : 'pill-amber')}
                onClick={() => setTab('install')}
              >
                <Icon name={ga.data.ready ? 'circleCheck' : 'alert'} size={16} />
                {ga.data.ready
                  ? 'Ready to embed'
                  : `${ga.data.failed_checks.length} readiness ${ga.data.failed_checks.length === 1 ? 'check' : 'checks'} failing`}
              </button>
            )}
          </>
        }
      />

      <div class="config-layout">
        <div class="config-main">
          <div class="tabs" role="tablist" aria-label="Widget settings">
            {TABS.map((t, i) => {
              const n = tabErrors[t.id] ?? 0
              return (
                <button
                  key={t.id}
                  type="button"
                  role="tab"
                  id={`tab-${t.id}`}
                  aria-selected={tab === t.id}
                  aria-controls={`panel-${t.id}`}
                  tabIndex={tab === t.id ? 0 : -1}
                  class={cx('tab', tab === t.id && 'active')}
                  onClick={() => setTab(t.id)}
                  onKeyDown={(e) => {
                    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0
                    if (!d) return
                    e.preventDefault()
                    const next = TABS[(i + d + TABS.length) % TABS.length]!
                    setTab(next.id)
                    document.getElementById(`tab-${next.id}`)?.focus()
                  }}
                >
                  {t.label}
                  {n > 0 && (
                    <span class="tab-badge" title={`${n} to fix`}>
                      {n}
                      <span class="sr-only"> {n === 1 ? 'problem' : 'problems'}</span>
                    </span>
                  )}
                </button>
              )
            })}
          </div>

          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="tab-panel">
            {tab === 'content' && (
              <>
                <section class="card" aria-labelledby="status-title">
                  <header class="card-head">
                    <div>
                      <h2 id="status-title">Status</h2>
                      <p>
                        Turn the widget off to hide it everywhere at once, without removing the
                        snippet.
                      </p>
                    </div>
                  </header>
                  <Toggle
                    label="Widget enabled"
                    description="Shown on the allowed origins below when on."
                    checked={draft.enabled}
                    onChange={(v) => update({ enabled: v })}
                  />
                  <Segmented
                    label="Mode"
                    value={draft.mode}
                    onChange={(v) => update({ mode: v })}
                    options={[
                      { value: 'both', label: 'Chat and voice' },
                      { value: 'chat', label: 'Chat only' },
                      { value: 'voice', label: 'Voice only' },
                    ]}
                    hint="With chat and voice, visitors switch between them in one conversation."
                  />
                </section>

                <section class="card" aria-labelledby="texts-title">
                  <header class="card-head">
                    <div>
                      <h2 id="texts-title">Texts</h2>
                      <p>Translations of these live on the Languages tab.</p>
                    </div>
                  </header>
                  <div class="grid-2">
                    <TextField
                      label="Title"
                      name="display_title"
                      value={draft.display_title}
                      max={TEXT_LIMITS.display_title.max}
                      error={errorFor('display_title')}
                      hint="Heading of the chat panel."
                      onInput={(v) => update({ display_title: v })}
                    />
                    <TextField
                      label="Launcher label"
                      name="launcher_label"
                      value={draft.launcher_label}
                      max={TEXT_LIMITS.launcher_label.max}
                      error={errorFor('launcher_label')}
                      hint="Text of the floating button."
                      onInput={(v) => update({ launcher_label: v })}
                    />
                  </div>
                  <TextField
                    label="Welcome text"
                    name="welcome_text"
                    multiline
                    rows={2}
                    optional
                    value={draft.welcome_text ?? ''}
                    max={TEXT_LIMITS.welcome_text.max}
                    error={errorFor('welcome_text')}
                    hint="The first thing visitors read when they open the panel."
                    onInput={(v) => update({ welcome_text: v })}
                  />
                  <TextField
                    label="Bubble message"
                    name="launcher_bubble_message"
                    optional
                    value={draft.launcher_bubble_message ?? ''}
                    max={TEXT_LIMITS.launcher_bubble_message.max}
                    error={errorFor('launcher_bubble_message')}
                    hint="A small speech bubble above the launcher, until the visitor opens or dismisses it."
                    onInput={(v) => update({ launcher_bubble_message: v === '' ? null : v })}
                  />
                </section>

                <section class="card" aria-labelledby="qa-title">
                  <header class="card-head">
                    <div>
                      <h2 id="qa-title">Suggested questions</h2>
                      <p>One click starts a conversation about something visitors often ask.</p>
                    </div>
                  </header>
                  <Toggle
                    label="Show suggested questions"
                    checked={draft.quick_actions_enabled}
                    onChange={(v) => update({ quick_actions_enabled: v })}
                  />
                  <QuickActionsEditor
                    actions={draft.quick_actions}
                    disabled={!draft.quick_actions_enabled}
                    errorFor={errorFor}
                    onChange={(a) => update({ quick_actions: a })}
                  />
                </section>

                <section class="card" aria-labelledby="agent-title">
                  <header class="card-head">
                    <div>
                      <h2 id="agent-title">Assistant instructions</h2>
                      <p>
                        Extra guidance for the AI assistant: tone, what to avoid, when to hand over.
                      </p>
                    </div>
                  </header>
                  <TextField
                    label="Instructions"
                    name="agent_instructions"
                    multiline
                    rows={4}
                    optional
                    value={draft.agent_instructions ?? ''}
                    max={4000}
                    error={errorFor('agent_instructions')}
                    placeholder="Answer briefly and in a friendly tone. Never ask for passwords."
                    onInput={(v) => update({ agent_instructions: v === '' ? null : v })}
                  />
                </section>
              </>
            )}

            {tab === 'appearance' && (
              <>
                <section class="card" aria-labelledby="launcher-title">
                  <header class="card-head">
                    <div>
                      <h2 id="launcher-title">Launcher and theme</h2>
                    </div>
                  </header>
                  <Segmented
                    label="Position"
                    value={draft.launcher_position}
                    onChange={(v) => update({ launcher_position: v })}
                    options={[
                      { value: 'bottom-right', label: 'Bottom right' },
                      { value: 'bottom-left', label: 'Bottom left' },
                    ]}
                  />
                  <Segmented
                    label="Theme"
                    value={draft.theme}
                    onChange={(v) => update({ theme: v })}
                    options={[
                      { value: 'auto', label: 'Match the visitor' },
                      { value: 'light', label: 'Light' },
                      { value: 'dark', label: 'Dark' },
                    ]}
                    hint="“Match the visitor” follows their system’s light or dark setting."
                  />
                </section>

                <section class="card" aria-labelledby="colours-title">
                  <header class="card-head">
                    <div>
                      <h2 id="colours-title">Colours</h2>
                      <p>Pick a preset, or set your brand colours. Text on them stays readable.</p>
                    </div>
                  </header>
                  <fieldset class="field">
                    <legend class="field-label">Accent preset</legend>
                    <div class="swatches">
                      {ACCENT_THEMES.map((t) => (
                        <label key={t} class={cx('swatch', draft.accent_theme === t && 'active')}>
                          <input
                            type="radio"
                            name="accent_theme"
                            value={t}
                            checked={draft.accent_theme === t}
                            onChange={() => update({ accent_theme: t })}
                          />
                          <span
                            class="swatch-dot"
                            style={{
                              background: `linear-gradient(135deg, ${ACCENT_SWATCH[t][0]}, ${ACCENT_SWATCH[t][1]})`,
                            }}
                            aria-hidden="true"
                          />
                          <span class="swatch-name">{t[0]!.toUpperCase() + t.slice(1)}</span>
                        </label>
                      ))}
                    </div>
                  </fieldset>
                  <div class="grid-2">
                    <ColorField
                      label="Primary colour"
                      value={draft.primary_color}
                      fallback={swatch}
                      error={errorFor('primary_color')}
                      hint="Launcher, header and the visitor’s messages."
                      onChange={(v) => update({ primary_color: v })}
                    />
                    <ColorField
                      label="Accent colour"
                      value={draft.accent_color}
                      fallback={
                        draft.primary_color && /^#[0-9a-f]{3,6}$/i.test(draft.primary_color)
                          ? draft.primary_color
                          : ACCENT_SWATCH[draft.accent_theme][1]
                      }
                      error={errorFor('accent_color')}
                      hint="The deep end of the header gradient."
                      onChange={(v) => update({ accent_color: v })}
                    />
                  </div>
                </section>

                <section class="card" aria-labelledby="brand-title">
                  <header class="card-head">
                    <div>
                      <h2 id="brand-title">Branding</h2>
                    </div>
                  </header>
                  <LogoField
                    value={draft.logo_url}
                    error={errorFor('logo_url')}
                    onChange={(v) => update({ logo_url: v })}
                  />
                  <Toggle
                    label="Show “Powered by Aurion”"
                    description="A small line at the bottom of the panel."
                    checked={draft.show_powered_by}
                    onChange={(v) => update({ show_powered_by: v })}
                  />
                </section>
              </>
            )}

            {tab === 'languages' && (
              <section class="card" aria-labelledby="lang-title">
                <header class="card-head">
                  <div>
                    <h2 id="lang-title">Languages</h2>
                    <p>
                      The widget speaks the visitor’s browser language when you add it here, and
                      falls back to the texts on the Content tab.
                    </p>
                  </div>
                </header>
                <TranslationsEditor
                  draft={draft}
                  onChange={(d) => {
                    const changed = Object.keys(d).filter(
                      (k) => d[k as keyof Draft] !== draft[k as keyof Draft],
                    ) as (keyof Draft)[]
                    update(Object.fromEntries(changed.map((k) => [k, d[k]])) as Partial<Draft>)
                  }}
                  errorFor={errorFor}
                  pending={visibleLocales}
                  setPending={setVisibleLocales}
                  onPreviewLocale={setPreviewLocale}
                />
              </section>
            )}

            {tab === 'security' && (
              <>
                <section class="card" aria-labelledby="origins-title">
                  <header class="card-head">
                    <div>
                      <h2 id="origins-title">Allowed origins</h2>
                      <p>
                        The widget loads only on these sites. Requests from anywhere else are
                        refused with 403.
                      </p>
                    </div>
                  </header>
                  <OriginsEditor
                    origins={draft.allowed_origins}
                    onChange={(o) => update({ allowed_origins: o })}
                    errorFor={errorFor}
                  />
                </section>
                <IdentitySection
                  draft={draft}
                  update={update}
                  secret={server.identity_secret}
                  onSecretRotated={(s) => cfg.setData({ ...server, identity_secret: s })}
                />
              </>
            )}

            {tab === 'install' && (
              <>
                <ReadinessPanel
                  readiness={ga.data}
                  error={ga.error}
                  loading={ga.loading}
                  onRetry={() => void ga.reload()}
                  onFix={setTab}
                />
                <InstallPanel
                  config={server}
                  dirty={dirty}
                  onRegenerate={async () => {
                    try {
                      const res = await api.send<RegenerateKeyResponse>(endpoints.regenerateKey())
                      const next = { ...server, ...res }
                      loadedFor.current = next
                      cfg.setData(next)
                      toast.success('New public key issued. Paste the new snippet on your sites.')
                    } catch (err) {
                      toast.error(`Key not regenerated: ${errorMessage(err)}`)
                      throw err
                    }
                  }}
                />
              </>
            )}
          </div>

          {dirty && (
            <div class="save-bar">
              <div class="save-bar-inner">
                <span class="save-bar-text">
                  <span class="dot dot-amber" aria-hidden="true" />
                  {clientIssues.length > 0
                    ? `Unsaved changes · ${clientIssues.length} to fix`
                    : 'Unsaved changes'}
                </span>
                <button type="button" class="btn btn-ghost" onClick={discard}>
                  Discard
                </button>
                <button
                  type="button"
                  class="btn btn-primary"
                  onClick={() => void save()}
                  disabled={saving}
                  aria-busy={saving}
                >
                  {saving && <span class="spinner" aria-hidden="true" />}
                  {saving ? 'Saving…' : 'Save changes'}
                </button>
              </div>
            </div>
          )}
        </div>

        <aside class="config-aside" aria-label="Preview">
          <LivePreview
            config={previewConfig}
            tenantId={server.tenant_id}
            publicKey={server.public_widget_key}
            locales={[...new Set([...draftLocales(draft), ...visibleLocales])].sort()}
            locale={previewLocale}
            onLocale={setPreviewLocale}
            dirty={dirty}
          />
        </aside>
      </div>
    </div>
  )
}
