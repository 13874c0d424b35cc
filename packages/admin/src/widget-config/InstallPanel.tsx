import type { GaReadinessResponse, VoiceWidgetConfigResponse } from '@aurion/contract'
import { useState } from 'preact/hooks'
import { Badge, CopyButton, LoadError, Skeleton } from '../components/Bits.tsx'
import { Icon } from '../components/Icon.tsx'
import { ConfirmDialog } from '../components/Modal.tsx'
import { BASE, linkClick } from '../lib/router.ts'
import { checkState, guideHref, warningCount } from './readiness.ts'
import type { TabId } from './tabs.ts'

export interface InstallPanelProps {
  config: VoiceWidgetConfigResponse
  dirty: boolean
  onRegenerate: () => Promise<void>
}

/** The snippet to paste, the values in it, and the key's rotation. */
export function InstallPanel({ config, dirty, onRegenerate }: InstallPanelProps) {
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const keyHint = `${config.public_widget_key.slice(0, 8)}…`
  return (
    <>
      <section class="card" aria-labelledby="snippet-title">
        <header class="card-head">
          <div>
            <h2 id="snippet-title">Embed snippet</h2>
            <p>
              Paste it before <code>&lt;/head&gt;</code> on every page that should show the widget
              (anywhere in <code>&lt;body&gt;</code> works too: it loads without blocking the page).
              It already contains your app id and public key.
            </p>
          </div>
          <CopyButton
            text={config.embed_snippet}
            label="Copy snippet"
            what="Snippet"
            variant="primary"
          />
        </header>
        {dirty && (
          <p class="banner banner-info">
            <Icon name="info" size={16} />
            The snippet does not change when you edit settings: saved settings reach every site that
            already has it.
          </p>
        )}
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the snippet scrolls sideways; a keyboard must reach it to scroll it */}
        <pre class="code-block" tabIndex={0}>
          <code>{config.embed_snippet}</code>
        </pre>
        <dl class="kv">
          <div>
            <dt>App id (tenant)</dt>
            <dd>
              <code class="mono">{config.tenant_id}</code>
              <CopyButton
                text={config.tenant_id}
                label="Copy"
                what="App id"
                variant="ghost"
                small
              />
            </dd>
          </div>
          <div>
            <dt>Public widget key</dt>
            <dd>
              <code class="mono" data-testid="public-key">
                {config.public_widget_key}
              </code>
              <CopyButton
                text={config.public_widget_key}
                label="Copy"
                what="Public key"
                variant="ghost"
                small
              />
            </dd>
          </div>
          <div>
            <dt>Loader script</dt>
            <dd>
              <code class="mono">{config.embed_script_url}</code>
            </dd>
          </div>
        </dl>
      </section>

      <section class="card card-danger" aria-labelledby="regen-title">
        <header class="card-head">
          <div>
            <h2 id="regen-title">Regenerate the public key</h2>
            <p>
              The public key is not a secret, but if it is abused (someone embeds your widget where
              you do not want it and an origin slips through), issue a new one.
            </p>
          </div>
          <button type="button" class="btn btn-danger-outline" onClick={() => setConfirming(true)}>
            <Icon name="refresh" size={16} />
            Regenerate key
          </button>
        </header>
      </section>

      <ConfirmDialog
        open={confirming}
        danger
        busy={busy}
        title="Regenerate the public widget key?"
        confirmLabel="Regenerate key"
        description={
          <>
            <p>
              The current key <code class="mono">{keyHint}</code>{' '}
              <strong>stops working immediately</strong>.
            </p>
            <ul class="consequences">
              <li>Every site that embeds the current snippet stops showing the widget.</li>
              <li>Chats open with the old key are disconnected.</li>
              <li>The widget returns once you paste the new snippet on each site.</li>
            </ul>
          </>
        }
        onClose={() => setConfirming(false)}
        onConfirm={async () => {
          setBusy(true)
          try {
            await onRegenerate()
            setConfirming(false)
          } finally {
            setBusy(false)
          }
        }}
      />
    </>
  )
}

const CHECK_LABELS: Record<string, string> = {
  allowed_origins_configured: 'Allowed origins',
  widget_enabled: 'Widget enabled',
  voice_configured: 'Voice',
  agent_configured: 'AI assistant',
}

interface Fix {
  label: string
  tab?: TabId
  route?: string
  href?: string
}

const FIXES: Record<string, Fix> = {
  allowed_origins_configured: { label: 'Add your site’s origin', tab: 'security' },
  widget_enabled: { label: 'Turn the widget on', tab: 'content' },
  voice_configured: { label: 'Switch the mode to chat', tab: 'content' },
  agent_configured: { label: 'Add knowledge articles', route: '/knowledge' },
}

const CHECK_ICONS = { passed: 'circleCheck', warning: 'alert', failed: 'circleX' } as const

const prettify = (key: string) =>
  CHECK_LABELS[key] ?? key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())

export interface ReadinessPanelProps {
  readiness: GaReadinessResponse | undefined
  error: string | undefined
  loading: boolean
  onRetry: () => void
  onFix: (tab: TabId) => void
}

/** The server's GA readiness checks, each with its reason and a way to fix it. */
export function ReadinessPanel({ readiness, error, loading, onRetry, onFix }: ReadinessPanelProps) {
  return (
    <section class="card" aria-labelledby="ga-title" aria-busy={loading}>
      <header class="card-head">
        <div>
          <h2 id="ga-title">Ready to embed?</h2>
          <p>Checks of your saved settings and of this server.</p>
        </div>
        {readiness && (
          <Badge tone={readiness.ready ? 'green' : 'amber'}>
            {readiness.ready
              ? warningCount(readiness) > 0
                ? `Ready · ${warningCount(readiness)} to note`
                : 'Ready'
              : `${readiness.failed_checks.length} to fix`}
          </Badge>
        )}
      </header>
      {error && <LoadError message={error} onRetry={onRetry} />}
      {!readiness && !error && <Skeleton lines={4} />}
      {readiness && (
        <ul class="checks">
          {Object.entries(readiness.checks).map(([key, check]) => {
            const fix = FIXES[key]
            const state = checkState(check)
            return (
              <li key={key} class={`check ${state}`}>
                <Icon name={CHECK_ICONS[state]} class="check-icon" />
                <div class="check-text">
                  <p class="check-name">
                    {prettify(key)}
                    <span class="sr-only">{`: ${state === 'warning' ? 'passed, with a warning' : state === 'passed' ? 'passed' : 'failing'}`}</span>
                  </p>
                  {check.reason && <p class="check-reason">{check.reason}</p>}
                </div>
                {state !== 'passed' && (
                  <div class="check-fix">
                    {state === 'failed' && fix?.tab && (
                      <button type="button" class="link-btn" onClick={() => onFix(fix.tab!)}>
                        {fix.label}
                        <Icon name="chevronRight" size={14} />
                      </button>
                    )}
                    {state === 'failed' && fix?.route && (
                      <a class="link-btn" href={BASE + fix.route} onClick={linkClick(fix.route)}>
                        {fix.label}
                        <Icon name="chevronRight" size={14} />
                      </a>
                    )}
                    {key === 'voice_configured' && (
                      <a
                        class="link-btn"
                        href={guideHref(check)}
                        target="_blank"
                        rel="noopener noreferrer"
                      >
                        Voice set-up guide
                        <Icon name="external" size={14} />
                      </a>
                    )}
                  </div>
                )}
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
