import { createContext } from 'preact'
import { useContext, useEffect, useState } from 'preact/hooks'
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

/** Re-renders when a store (session, voice) reports a change. */
export function useStore(store: { subscribe(fn: () => void): () => void }): void {
  const [, tick] = useState(0)
  useEffect(() => store.subscribe(() => tick((n) => n + 1)), [store])
}
