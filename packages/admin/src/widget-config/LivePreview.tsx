import type { PublicWidgetConfig } from '@aurion/contract'
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { Icon } from '../components/Icon.tsx'
import { BASE } from '../lib/router.ts'
import { isPreviewEvent, type PreviewUpdate } from '../preview/protocol.ts'

const languageName = (locale: string): string => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(locale) ?? locale
  } catch {
    return locale
  }
}

export interface LivePreviewProps {
  config: PublicWidgetConfig
  tenantId: string
  publicKey: string
  locales: string[]
  locale: string
  onLocale: (l: string) => void
  dirty: boolean
}

/**
 * The real widget bundle, rendered in a sandboxed frame with the unsaved config. The frame has
 * no same-origin rights: it cannot reach the console's session or the page around it.
 */
export function LivePreview({
  config,
  tenantId,
  publicKey,
  locales,
  locale,
  onLocale,
  dirty,
}: LivePreviewProps) {
  const frame = useRef<HTMLIFrameElement>(null)
  const [ready, setReady] = useState(false)
  const [rendered, setRendered] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const [open, setOpen] = useState(true)

  const update: PreviewUpdate = {
    type: 'aurion-preview:update',
    config,
    settings: { appId: tenantId, publicKey, open, ...(locale ? { locale } : {}) },
  }
  const payload = JSON.stringify(update)

  // In a layout effect: attached in the same task that adds the frame, so its `ready` (posted as
  // soon as its script runs) cannot arrive before anyone listens. The frame's load event says the
  // same (its module script has run by then), in case a message is ever missed.
  useLayoutEffect(() => {
    const onMessage = (e: MessageEvent) => {
      if (e.source !== frame.current?.contentWindow || !isPreviewEvent(e.data)) return
      if (e.data.type === 'aurion-preview:ready') setReady(true)
      else if (e.data.type === 'aurion-preview:rendered') {
        setRendered(true)
        setError(undefined)
      } else setError(e.data.message)
    }
    addEventListener('message', onMessage)
    return () => removeEventListener('message', onMessage)
  }, [])

  useEffect(() => {
    // The frame's origin is opaque ("null"), so no target origin can name it; it receives only
    // the public config (no keys beyond the public widget key, no session).
    if (ready) frame.current?.contentWindow?.postMessage(JSON.parse(payload), '*')
  }, [ready, payload])

  return (
    <section class="preview-card" aria-labelledby="preview-title">
      <header class="preview-head">
        <div>
          <h2 id="preview-title">Live preview</h2>
          <p class="preview-sub">
            {dirty ? (
              <span class="dot-label">
                <span class="dot dot-amber" aria-hidden="true" />
                Showing unsaved changes
              </span>
            ) : (
              'What visitors see on your site'
            )}
          </p>
        </div>
        <div class="preview-controls">
          <label class="sr-only" for="preview-locale">
            Preview language
          </label>
          <select
            id="preview-locale"
            class="input input-sm"
            value={locale}
            onChange={(e) => onLocale(e.currentTarget.value)}
          >
            <option value="">Default language</option>
            {locales.map((l) => (
              <option key={l} value={l}>
                {languageName(l)} ({l})
              </option>
            ))}
          </select>
          <button
            type="button"
            class="btn btn-secondary btn-sm"
            aria-pressed={open}
            onClick={() => setOpen(!open)}
          >
            <Icon name={open ? 'x' : 'widget'} size={16} />
            {open ? 'Show launcher only' : 'Open panel'}
          </button>
        </div>
      </header>
      <div class="preview-stage">
        <iframe
          ref={frame}
          class="preview-frame"
          title="Widget preview"
          src={`${BASE}/preview.html`}
          sandbox="allow-scripts"
          referrerpolicy="no-referrer"
          onLoad={() => setReady(true)}
        />
        {!rendered && !error && (
          <div class="preview-overlay" role="status">
            <span class="spinner spinner-dark" aria-hidden="true" />
            Loading the widget…
          </div>
        )}
        {error && (
          <div class="preview-overlay preview-error" role="alert">
            <Icon name="alert" />
            {error}
          </div>
        )}
      </div>
      <p class="preview-foot">
        <Icon name="info" size={14} />
        Messages typed here are not sent. Voice calls start only on your site.
      </p>
    </section>
  )
}
