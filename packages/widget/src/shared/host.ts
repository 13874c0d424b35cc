import type { PublicWidgetConfig, TranslatableField } from '@aurion/contract'

/** `window.AurionSettings`, as the host page sets it (contract: "Embed the Widget"). */
export interface AurionSettings {
  appId: string
  publicKey: string
  apiBaseUrl?: string
  user?: AurionUser
  locale?: string
  open?: boolean
}

/** A visitor the host page already knows (its own signed-in user). */
export interface AurionUser {
  email?: string
  name?: string
  /** Hex HMAC-SHA256(email, identity secret), when the tenant requires identity verification. */
  user_hash?: string
}

export type WidgetEventName = 'ready' | 'open' | 'close' | 'message' | 'unread'

/** Payload of the `message` event. */
export interface WidgetMessageEvent {
  id: string
  sender_type: 'contact' | 'ai' | 'agent'
  body: string
  created_at: string
  conversation_id: string | null
  channel: 'chat' | 'voice'
}

export type Theme = 'light' | 'dark'

/** What the loader hands the chat chunk's `mount()`. */
export interface WidgetHost {
  readonly tenantId: string
  readonly publicKey: string
  /** API origin (plus any path prefix), without a trailing slash. */
  readonly apiBase: string
  readonly user: AurionUser | undefined
  readonly config: PublicWidgetConfig
  readonly root: ShadowRoot
  /** Element the panel renders into. */
  readonly slot: HTMLElement
  /** The launcher button (focus returns here when the panel closes). */
  readonly launcher: HTMLElement
  locale(): string
  /** Config text in the current locale (`*_translations`, then the base text). */
  text(field: TranslatableField): string | null
  theme(): Theme
  isOpen(): boolean
  /** The launcher is hidden (`Aurion.hide()`): so is everything else while the panel is closed. */
  isHidden(): boolean
  /** Opens or closes the panel (the loader owns the state, the launcher and the events). */
  setOpen(open: boolean): void
  setUnread(count: number): void
  emit(event: WidgetEventName, payload?: unknown): void
  /** Called when locale, theme or visibility change; returns an unsubscribe function. */
  onChange(fn: () => void): () => void
}

/** What the chat chunk's `mount()` returns to the loader. */
export interface WidgetApp {
  /** The loader changed the open state (launcher, API or panel close button). */
  openChanged(open: boolean): void
  sendMessage(text: string): Promise<void>
  identify(user: AurionUser): Promise<void>
  /** Tears down sockets, calls and DOM; `forget` also clears the visitor's stored data. */
  shutdown(forget: boolean): void
}

/** localStorage keys, per tenant. */
export const storageKey = (tenantId: string, what: 'chat' | 'unread' | 'bubble' | 'csat') =>
  `aurion:${tenantId}:${what}`
