import { createContext } from 'preact'
import { useContext, useLayoutEffect, useState } from 'preact/hooks'
import type { WidgetHost } from '../../shared/host.ts'
import type { ChatSession } from '../chat/session.ts'
import type { Strings } from '../i18n.ts'
import type { VoiceController } from '../voice-controller.ts'

export interface AppContext {
  host: WidgetHost
  session: ChatSession
  voice: VoiceController
  t: Strings
}

export const Ctx = createContext<AppContext>(undefined as unknown as AppContext)

export const useApp = (): AppContext => useContext(Ctx)

/** A store the panel renders from: a version that grows with every change, and listeners. */
export interface Store {
  readonly version: number
  subscribe(fn: () => void): () => void
}

/**
 * Re-renders when a store (session, voice) changes. A change between this render and the
 * subscription (a socket frame can land there) is caught by comparing versions.
 */
export function useStore(store: Store): void {
  const [, tick] = useState(0)
  const rendered = store.version
  useLayoutEffect(() => {
    const off = store.subscribe(() => tick((n) => n + 1))
    if (store.version !== rendered) tick((n) => n + 1)
    return off
  }, [store])
}
