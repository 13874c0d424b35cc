import type { LoginResponse, MeResponse } from '@aurion/contract'
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiClient } from './api/client.ts'
import { endpoints } from './api/endpoints.ts'
import { Shell } from './components/Shell.tsx'
import { Toaster } from './components/Toaster.tsx'
import { AppContext, type AppContextValue } from './lib/app-context.ts'
import { navigate, useRoute } from './lib/router.ts'
import { clearSession, loadSession, type StoredSession, saveSession } from './lib/session-store.ts'
import { toast } from './lib/toast.ts'
import { ApiKeysPage } from './pages/ApiKeysPage.tsx'
import { ConversationsPage } from './pages/ConversationsPage.tsx'
import { KnowledgePage } from './pages/KnowledgePage.tsx'
import { LoginPage } from './pages/LoginPage.tsx'
import { NotFoundPage } from './pages/NotFoundPage.tsx'
import { WidgetConfigPage } from './widget-config/WidgetConfigPage.tsx'

/** The console: the sign-in page, or the shell with the page of the current route. */
export function App() {
  const [session, setSession] = useState<StoredSession | undefined>(loadSession)
  const [expired, setExpired] = useState(false)
  const [me, setMe] = useState<MeResponse | undefined>(undefined)
  const sessionRef = useRef(session)
  sessionRef.current = session
  const route = useRoute()

  const endSession = useCallback(() => {
    clearSession()
    setSession(undefined)
    setMe(undefined)
  }, [])

  const api = useMemo(
    () =>
      new ApiClient({
        token: () => sessionRef.current?.token,
        onUnauthorized: () => {
          if (!sessionRef.current) return
          sessionRef.current = undefined
          setExpired(true)
          endSession()
        },
      }),
    [endSession],
  )

  useEffect(() => {
    if (!session) return
    let live = true
    api.send<MeResponse>(endpoints.me()).then(
      (m) => live && setMe(m),
      () => {},
    )
    return () => {
      live = false
    }
  }, [api, session])

  useEffect(() => {
    if (session && route === '/') navigate('/widget', { replace: true })
  }, [session, route])

  // The session ends at its expiry even if the tab stays idle.
  useEffect(() => {
    if (!session) return
    const ms = Date.parse(session.expires_at) - Date.now()
    const t = setTimeout(
      () => {
        setExpired(true)
        endSession()
      },
      Math.max(0, Math.min(ms, 2 ** 31 - 1)),
    )
    return () => clearTimeout(t)
  }, [session, endSession])

  const ctx: AppContextValue = useMemo(
    () => ({
      api,
      me,
      signOut: async () => {
        try {
          await api.send(endpoints.logout())
        } catch {
          // Signed out locally either way; the token expires by itself.
        }
        setExpired(false)
        endSession()
        toast.info('You are signed out')
      },
    }),
    [api, me, endSession],
  )

  if (!session) {
    return (
      <>
        <LoginPage
          api={api}
          expired={expired}
          onSignedIn={(res: LoginResponse) => {
            const s = { token: res.token, expires_at: res.expires_at, user: res.user }
            saveSession(s)
            setExpired(false)
            setSession(s)
          }}
        />
        <Toaster />
      </>
    )
  }

  return (
    <AppContext.Provider value={ctx}>
      <Shell route={route} user={session.user}>
        <Page route={route} />
      </Shell>
      <Toaster />
    </AppContext.Provider>
  )
}

function Page({ route }: { route: string }) {
  if (route === '/' || route === '/widget') return <WidgetConfigPage />
  if (route === '/api-keys') return <ApiKeysPage />
  if (route === '/knowledge') return <KnowledgePage />
  if (route === '/conversations') return <ConversationsPage selectedId={undefined} />
  const conv = /^\/conversations\/([^/]+)$/.exec(route)
  if (conv) return <ConversationsPage selectedId={decodeURIComponent(conv[1]!)} />
  return <NotFoundPage />
}
