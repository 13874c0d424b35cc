import type { LoginResponse, MeResponse, TeamRole } from '@aurion/contract'
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiClient } from './api/client.ts'
import { endpoints } from './api/endpoints.ts'
import { Shell } from './components/Shell.tsx'
import { Toaster } from './components/Toaster.tsx'
import { InboxPage } from './inbox/InboxPage.tsx'
import { InsightsPage } from './insights/InsightsPage.tsx'
import { AppContext, type AppContextValue } from './lib/app-context.ts'
import { startPresence } from './lib/presence.ts'
import { canOpen, homeRoute } from './lib/roles.ts'
import { navigate, useRoute } from './lib/router.ts'
import {
  announceSession,
  type ConsoleSession,
  onOtherTabSession,
  sessionFromLogin,
  sessionFromMe,
} from './lib/session-store.ts'
import { toast } from './lib/toast.ts'
import { AccountPage } from './pages/AccountPage.tsx'
import { ApiKeysPage } from './pages/ApiKeysPage.tsx'
import { HelpCenterPage } from './pages/HelpCenterPage.tsx'
import { InvitePage } from './pages/InvitePage.tsx'
import { IntegrationsPage } from './pages/integrations/IntegrationsPage.tsx'
import { KnowledgePage } from './pages/KnowledgePage.tsx'
import { LoginPage } from './pages/LoginPage.tsx'
import { NotFoundPage } from './pages/NotFoundPage.tsx'
import { PrivacyPage } from './pages/PrivacyPage.tsx'
import { TeamPage } from './pages/TeamPage.tsx'
import { WidgetConfigPage } from './widget-config/WidgetConfigPage.tsx'

/**
 * The console: while it asks the server whether the session cookie still holds a session, a
 * quiet loading screen; then the sign-in page, or the shell with the page of the current route.
 */
export function App() {
  const [session, setSession] = useState<ConsoleSession | undefined>(undefined)
  const [checking, setChecking] = useState(true)
  const [expired, setExpired] = useState(false)
  const [me, setMe] = useState<MeResponse | undefined>(undefined)
  const sessionRef = useRef(session)
  sessionRef.current = session
  const route = useRoute()

  const endSession = useCallback(() => {
    sessionRef.current = undefined
    setSession(undefined)
    setMe(undefined)
  }, [])

  const api = useMemo(
    () =>
      new ApiClient({
        csrfToken: () => sessionRef.current?.csrf_token,
        onUnauthorized: () => {
          if (!sessionRef.current) return
          setExpired(true)
          endSession()
          announceSession('signed-out')
        },
      }),
    [endSession],
  )

  // The cookie is shared by every tab: a new tab, or a reload, is signed in if it holds a session.
  const resume = useCallback(async () => {
    try {
      const m = await api.send<MeResponse>(endpoints.me())
      setMe(m)
      setExpired(false)
      // The same session again (another tab signed in with it): keep what the pages render from.
      setSession((cur) => (cur?.csrf_token === m.csrf_token ? cur : sessionFromMe(m)))
    } catch {
      // 401: not signed in. Unreachable server: the sign-in form says so when used.
    } finally {
      setChecking(false)
    }
  }, [api])

  useEffect(() => {
    resume()
  }, [resume])

  // Another tab signed out (the session is gone for all) or in (this one can use it too).
  useEffect(
    () =>
      onOtherTabSession((signal) => {
        if (signal === 'signed-out' && sessionRef.current) {
          setExpired(true)
          endSession()
        } else if (signal === 'signed-in') {
          // A new session replaced the cookie's: take its CSRF token (and user) from the server.
          resume()
        }
      }),
    [endSession, resume],
  )

  useEffect(() => {
    if (!session || me) return
    let live = true
    api.send<MeResponse>(endpoints.me()).then(
      (m) => live && setMe(m),
      () => {},
    )
    return () => {
      live = false
    }
  }, [api, session, me])

  const role = me?.user.role ?? session?.user.role
  const inviteToken = /^\/invite\/([^/]+)$/.exec(route)?.[1]

  // Agents land on the inbox; a page their role cannot open sends them there too (the server
  // refuses its calls anyway).
  useEffect(() => {
    if (!session || inviteToken !== undefined) return
    if (route === '/' || !canOpen(role, route)) navigate(homeRoute(role), { replace: true })
  }, [session, route, role, inviteToken])

  // While signed in, this tab tells the team it is open (availability).
  const stopPresence = useRef<(() => void) | undefined>(undefined)
  useEffect(() => {
    if (!session) return
    const stop = startPresence(api)
    stopPresence.current = stop
    return stop
  }, [api, session])

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
        stopPresence.current?.()
        try {
          await api.send(endpoints.logout())
        } catch {
          // Signed out here either way; the server ends the session at its expiry.
        }
        setExpired(false)
        endSession()
        announceSession('signed-out')
        toast.info('You are signed out')
      },
    }),
    [api, me, endSession],
  )

  const signedIn = (res: LoginResponse) => {
    setExpired(false)
    setMe(undefined)
    setSession(sessionFromLogin(res))
    announceSession('signed-in')
  }

  if (inviteToken !== undefined) {
    return (
      <>
        <InvitePage api={api} token={decodeURIComponent(inviteToken)} onSignedIn={signedIn} />
        <Toaster />
      </>
    )
  }

  if (checking) {
    return (
      <main class="login" aria-busy="true">
        <span class="spinner spinner-dark" role="status" aria-label="Loading the console" />
      </main>
    )
  }

  if (!session) {
    return (
      <>
        <LoginPage api={api} expired={expired} onSignedIn={signedIn} />
        <Toaster />
      </>
    )
  }

  return (
    <AppContext.Provider value={ctx}>
      <Shell route={route} user={session.user}>
        <Page route={route} role={role} />
      </Shell>
      <Toaster />
    </AppContext.Provider>
  )
}

function Page({ route, role }: { route: string; role: TeamRole | undefined }) {
  if (!canOpen(role, route)) return null
  if (route === '/' || route === '/insights') return <InsightsPage />
  if (route === '/widget') return <WidgetConfigPage />
  if (route === '/team') return <TeamPage />
  if (route === '/api-keys') return <ApiKeysPage />
  if (route === '/integrations') return <IntegrationsPage />
  if (route === '/privacy') return <PrivacyPage />
  if (route === '/account') return <AccountPage />
  if (route === '/knowledge') return <KnowledgePage />
  if (route === '/help-center') return <HelpCenterPage />
  if (route === '/conversations') return <InboxPage selectedId={undefined} />
  const conv = /^\/conversations\/([^/]+)$/.exec(route)
  if (conv) return <InboxPage selectedId={decodeURIComponent(conv[1]!)} />
  return <NotFoundPage />
}
