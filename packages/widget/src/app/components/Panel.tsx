import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { fitPanel } from '../../shared/viewport-fit.ts'
import type { CallError } from '../../voice/types.ts'
import type { HistoryConversation } from '../chat/endpoints.ts'
import { linkStatus } from '../link-status.ts'
import { toPlainText } from '../markdown.ts'
import { stateLabel } from '../voice-controller.ts'
import { scrollForNewest } from './answer-scroll.ts'
import { Composer } from './Composer.tsx'
import { useApp, useStore } from './context.ts'
import { IconButton } from './IconButton.tsx'
import { Icon } from './icons.tsx'
import { usePart } from './lazy.ts'
import { MessageList } from './MessageList.tsx'

/** Parts most visitors never open: their own chunks, loaded on first use. */
export const loadCallUi = () => import('./call/CallUi.tsx')
export const loadHistory = () => import('./history/HistoryView.tsx')

const Loading = () => (
  <div class="aw-loading" role="status">
    <span class="aw-spin" />
  </div>
)

type View = 'chat' | 'history' | 'call'

const STICK_PX = 80

/** The open widget: header, banners, the current view (chat, history or call) and composer. */
export function Panel() {
  const { host, session, voice, t } = useApp()
  useStore(session)
  useStore(voice)
  const mode = host.config.mode
  const [view, setView] = useState<View>(mode === 'voice' && voice.available ? 'call' : 'chat')
  const [past, setPast] = useState<HistoryConversation | undefined>()
  const [dragging, setDragging] = useState(false)
  const [dropped, setDropped] = useState<File[]>([])
  const [announce, setAnnounce] = useState('')
  const self = useRef<HTMLDivElement>(null)
  const body = useRef<HTMLElement>(null)
  const input = useRef<HTMLTextAreaElement>(null)
  const stick = useRef(true)
  const s = session.state
  const v = voice.view
  const callError: CallError | undefined = v.state === 'ended' ? v.error : undefined
  const voiceOnly = mode === 'voice' && voice.available && !callError
  const historyAllowed = !host.config.identity_verification_required || !!host.user?.user_hash
  const inCall = voice.active
  const callUi = usePart(loadCallUi, inCall || view === 'call')
  const historyUi = usePart(loadHistory, view === 'history')

  // A call that fails falls back to chat, with the reason shown there.
  useEffect(() => {
    if (callError) setView('chat')
  }, [callError])

  useEffect(() => {
    if (view === 'chat') input.current?.focus()
  }, [view])

  // Before the first paint: on a phone the panel opens already covering the visual viewport.
  useLayoutEffect(() => (self.current ? fitPanel(self.current) : undefined), [])

  // Keep the newest message in view unless the visitor scrolled up to read; a long reply stops
  // with its start in view. Sending a message brings the conversation back to its end.
  const lastKey = useRef<string | undefined>()
  useLayoutEffect(() => {
    const el = body.current
    const newest = s.messages[s.messages.length - 1]
    if (newest && newest.key !== lastKey.current && newest.role === 'visitor') stick.current = true
    lastKey.current = newest?.key
    // Nothing to scroll to in an empty thread: no layout forced before the first paint.
    if (el && stick.current && (newest || past)) scrollForNewest(el)
  })

  // Screen readers hear each reply once, complete (not every streamed chunk).
  const last = s.messages[s.messages.length - 1]
  const lastDone = last && last.role !== 'visitor' && last.state === 'done' ? last : undefined
  useEffect(() => {
    if (lastDone) setAnnounce(toPlainText(lastDone.body))
  }, [lastDone?.key, lastDone?.state])

  const banner =
    s.link === 'closed'
      ? { kind: 'error', text: t.unavailable }
      : s.link === 'offline'
        ? { kind: 'error', text: t.offline }
        : s.link === 'reconnecting'
          ? { kind: 'info', text: t.reconnecting }
          : undefined

  const title = host.text('display_title') ?? ''
  const status = linkStatus(s.link, t, navigator.onLine !== false)
  const logo = host.config.logo_url

  const drag = (e: DragEvent, on: boolean) => {
    if (view !== 'chat' || !e.dataTransfer?.types.includes('Files')) return
    e.preventDefault()
    setDragging(on)
  }

  return (
    <div
      ref={self}
      class="aw-panel"
      id="aw-panel"
      role="dialog"
      aria-label={title}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation()
          host.setOpen(false)
        }
      }}
    >
      <header class="aw-head">
        {(view === 'history' || past) && (
          <IconButton
            class="aw-ib"
            label={t.back}
            onClick={() => (past ? setPast(undefined) : setView('chat'))}
          >
            <Icon.back />
          </IconButton>
        )}
        <span class="aw-logo" aria-hidden="true">
          {logo && /^data:image\/(?:png|jpeg|svg\+xml);base64,/.test(logo) ? (
            <img src={logo} alt="" />
          ) : (
            <Icon.spark />
          )}
        </span>
        <div class="aw-brand">
          <h2 class="aw-title">{past ? past.subject : view === 'history' ? t.history : title}</h2>
          <p class="aw-sub">
            <span
              class="aw-dot"
              data-off={status !== t.status ? '' : undefined}
              aria-hidden="true"
            />
            <span>{inCall ? stateLabel(v, t) : status}</span>
          </p>
        </div>
        {historyAllowed && view !== 'history' && (
          <IconButton class="aw-ib" label={t.history} onClick={() => setView('history')}>
            <Icon.history />
          </IconButton>
        )}
        {mode !== 'chat' && voice.available && !inCall && view === 'chat' && (
          <IconButton
            class="aw-ib"
            label={t.startCall}
            onClick={() => {
              setView('call')
              if (mode === 'both') void voice.start()
            }}
          >
            <Icon.phone />
          </IconButton>
        )}
        <IconButton class="aw-ib" label={t.close} onClick={() => host.setOpen(false)}>
          <Icon.minimize />
        </IconButton>
      </header>
      {banner && (
        <div class="aw-banner" data-kind={banner.kind} role="status">
          {banner.kind === 'error' ? <Icon.offline /> : <span class="aw-spin" />}
          {banner.text}
        </div>
      )}
      {inCall && view === 'chat' && callUi && <callUi.CallBar onCall={() => setView('call')} />}
      <section
        class="aw-body"
        ref={body}
        aria-label={view === 'chat' ? t.conversation : view === 'history' ? t.history : title}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable for keyboard users (axe scrollable-region-focusable)
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLElement
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX
        }}
        onDragEnter={(e) => drag(e, true)}
        onDragOver={(e) => drag(e, true)}
        onDragLeave={(e) => {
          if (e.currentTarget === e.target) setDragging(false)
        }}
        onDrop={(e) => {
          if (view !== 'chat') return
          e.preventDefault()
          setDragging(false)
          setDropped([...(e.dataTransfer?.files ?? [])])
        }}
      >
        {view === 'call' ? (
          callUi ? (
            <callUi.CallView onChat={() => setView('chat')} />
          ) : (
            <Loading />
          )
        ) : view === 'history' ? (
          historyUi ? (
            <historyUi.HistoryView
              open={past}
              onOpen={setPast}
              onDone={() => {
                setPast(undefined)
                setView('chat')
              }}
            />
          ) : (
            <Loading />
          )
        ) : (
          <>
            {callError && (
              <div class="aw-notice" role="alert">
                <Icon.alert />
                <p>{t[callError]}</p>
                <IconButton class="aw-ib" label={t.dismiss} onClick={() => voice.reset()}>
                  <Icon.close />
                </IconButton>
              </div>
            )}
            <MessageList messages={s.messages} typing={s.typing} intro />
          </>
        )}
        {dragging && <div class="aw-drop">{t.drop}</div>}
      </section>
      {view === 'chat' && !voiceOnly && (
        <Composer
          disabled={s.link === 'closed'}
          dropped={dropped}
          onDroppedTaken={() => setDropped([])}
          inputRef={input}
        />
      )}
      <div class="aw-sr" aria-live="polite">
        {announce}
      </div>
    </div>
  )
}
