import { render } from 'preact'
import type { AurionUser, WidgetApp, WidgetHost } from '../shared/host.ts'
import { addStyles } from '../shared/styles.ts'
import { ChatSession } from './chat/session.ts'
import { Bubble, dismissBubble } from './components/Bubble.tsx'
import { Ctx } from './components/context.ts'
import { clock } from './components/MessageList.tsx'
import { Panel } from './components/Panel.tsx'
import { EN, loadStrings, type Strings } from './i18n.ts'
import attachments from './styles/attachments.css?inline'
import composer from './styles/composer.css?inline'
import header from './styles/header.css?inline'
import messages from './styles/messages.css?inline'
import panel from './styles/panel.css?inline'
import phone from './styles/phone.css?inline'
import { VoiceController } from './voice-controller.ts'

/**
 * Entry of the chat chunk: the loader calls it once, on the visitor's first sign of interest
 * (hover, press, focus, `Aurion.open()`…), or when the page is idle if there is stored state to
 * restore (see idle/index.ts). Renders the panel into the loader's slot.
 */
export function mount(host: WidgetHost): WidgetApp {
  // One sheet, in this order: the phone rules come last and override the rest.
  addStyles(host.root, panel + header + messages + attachments + composer + phone)
  const audio = document.createElement('div')
  audio.hidden = true
  host.root.appendChild(audio)
  const bubbleSlot = document.createElement('div')
  host.slot.before(bubbleSlot)
  const session = new ChatSession(host, {
    apiBase: host.apiBase,
    tenantId: host.tenantId,
    publicKey: host.publicKey,
  })
  const voice = new VoiceController(host, session, audio)
  let t: Strings = EN
  let open = host.isOpen()
  let locale = ''
  let ready: Promise<void> = Promise.resolve()

  const draw = () => {
    const ctx = { host, session, voice, t }
    render(
      open ? (
        <Ctx.Provider value={ctx}>
          <Panel key={locale} />
        </Ctx.Provider>
      ) : null,
      host.slot,
    )
    render(
      <Ctx.Provider value={ctx}>
        <Bubble />
      </Ctx.Provider>,
      bubbleSlot,
    )
  }
  const localize = () => {
    if (host.locale() === locale) return draw()
    locale = host.locale()
    ready = loadStrings(locale).then((s) => {
      t = s
      draw()
    })
  }
  host.onChange(localize)
  localize()

  const identify = (u: AurionUser) => {
    if (!u.email) return Promise.reject(new TypeError('[Aurion] identify() needs an email'))
    return session.identify(u.email, { name: u.name, userHash: u.user_hash })
  }
  const user = host.user
  const email = user?.email?.trim().toLowerCase()
  // Another signed-in user on this browser must not see the previous visitor's conversation.
  if (email && session.state.email && session.state.email !== email) session.forgetVisitor()
  if (email && user && host.config.sso_auto_login && !session.state.emailToken) {
    identify(user).catch((err) => console.warn('[Aurion] automatic sign-in failed:', err))
  }
  if (session.hasThread) {
    session.connect()
    // Its messages show their time when the panel opens: make the formatter (slow the first
    // time on a page) while the page is idle, not on the visitor's click.
    if ('requestIdleCallback' in window) requestIdleCallback(() => clock(host.locale()))
  }
  // Replies that arrived while the tab was in the background count as unread until it's back.
  const seen = () => {
    if (open && document.visibilityState === 'visible') session.markRead()
  }
  document.addEventListener('visibilitychange', seen)

  return {
    openChanged(v) {
      open = v
      if (v) {
        session.connect()
        session.markRead()
        dismissBubble(host)
      } else voice.view.state === 'ended' && voice.reset()
      void ready.then(draw)
    },
    sendMessage: (text) => session.send(String(text)),
    identify,
    shutdown(forget) {
      document.removeEventListener('visibilitychange', seen)
      voice.hangUp()
      session.close(forget)
      render(null, host.slot)
      render(null, bubbleSlot)
      bubbleSlot.remove()
      audio.remove()
    },
  }
}
