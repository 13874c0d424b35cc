import { type GaReadinessResponse, toPublicConfig } from '@aurion/contract'
import { useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { Badge, LoadError, Loading, PageHeader } from '../components/Bits.tsx'
import { Icon } from '../components/Icon.tsx'
import { useApp } from '../lib/app-context.ts'
import { cx } from '../lib/format.ts'
import { useAsync } from '../lib/use-async.ts'
import { AppearanceTab } from './AppearanceTab.tsx'
import { ConfigTabs } from './ConfigTabs.tsx'
import { ContentTab } from './ContentTab.tsx'
import { draftLocales } from './draft.ts'
import { InstallTab } from './InstallTab.tsx'
import { LanguagesTab } from './LanguagesTab.tsx'
import { LivePreview } from './LivePreview.tsx'
import { PhoneTab } from './PhoneTab.tsx'
import { SaveBar } from './SaveBar.tsx'
import { SecurityTab } from './SecurityTab.tsx'
import { tabOf, useConfigTab } from './tabs.ts'
import { useConfigDraft } from './use-config-draft.ts'

/** Configuration › Voice Widget: every setting, validated as the server does, with a live preview. */
export function WidgetConfigPage() {
  const { api } = useApp()
  const ga = useAsync(() => api.send<GaReadinessResponse>(endpoints.gaReadiness()), [api])
  const [tab, setTab] = useConfigTab()
  const [previewLocale, setPreviewLocale] = useState('')
  const c = useConfigDraft({
    onProblemAt: (path) => setTab(tabOf(path)),
    onSaved: () => void ga.reload(),
  })

  if (c.loadError && !c.server) {
    return (
      <div class="page">
        <PageHeader title="Voice Widget" breadcrumb="Configuration" />
        <LoadError message={c.loadError} onRetry={c.reload} />
      </div>
    )
  }
  const { server, draft, saved } = c
  if (!server || !draft || !saved) {
    return (
      <div class="page">
        <PageHeader title="Voice Widget" breadcrumb="Configuration" />
        <Loading label="Loading widget settings…" lines={8} />
      </div>
    )
  }

  const voiceAvailable = ga.data?.checks.voice_configured?.passed ?? true
  const fields = { draft, update: c.update, errorFor: c.errorFor }

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
          <ConfigTabs tab={tab} onSelect={setTab} errors={c.errors} />

          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="tab-panel">
            {tab === 'content' && <ContentTab {...fields} />}
            {tab === 'appearance' && <AppearanceTab {...fields} />}
            {tab === 'languages' && (
              <LanguagesTab
                {...fields}
                locales={c.locales}
                setLocales={c.setLocales}
                onPreviewLocale={setPreviewLocale}
              />
            )}
            {tab === 'security' && <SecurityTab {...fields} />}
            {tab === 'phone' && <PhoneTab />}
            {tab === 'install' && (
              <InstallTab
                server={server}
                dirty={c.dirty}
                readiness={ga}
                onFix={setTab}
                onKeyRegenerated={c.setServer}
              />
            )}
          </div>

          {c.dirty && (
            <SaveBar
              problems={c.clientIssues.length}
              saving={c.saving}
              onSave={() => void c.save()}
              onDiscard={c.discard}
            />
          )}
        </div>

        <aside class="config-aside" aria-label="Preview">
          <LivePreview
            config={toPublicConfig(draft, voiceAvailable)}
            tenantId={server.tenant_id}
            publicKey={server.public_widget_key}
            locales={[...new Set([...draftLocales(draft), ...c.locales])].sort()}
            locale={previewLocale}
            onLocale={setPreviewLocale}
            dirty={c.dirty}
          />
        </aside>
      </div>
    </div>
  )
}
