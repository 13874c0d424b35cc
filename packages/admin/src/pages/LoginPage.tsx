import type { LoginResponse } from '@aurion/contract'
import { useEffect, useRef, useState } from 'preact/hooks'
import { type ApiClient, ApiRequestError } from '../api/client.ts'
import { endpoints } from '../api/endpoints.ts'
import { AuthCard } from '../components/AuthCard.tsx'
import { AuthField, PasswordField } from '../components/AuthField.tsx'
import { ErrorBanner } from '../components/Bits.tsx'
import { SubmitButton } from '../components/Field.tsx'
import { Icon } from '../components/Icon.tsx'
import { formatWait } from '../lib/format.ts'
import { errorMessage } from '../lib/use-async.ts'

/**
 * What the sign-in page says when single sign-on sent the browser back with `?sso_error=<status>`.
 * Fixed texts by status: nothing from the URL is shown, so a crafted link cannot add words.
 */
export const SSO_ERRORS: Record<string, string> = {
  '400': 'That single sign-on took too long or was already used. Start again.',
  '401': 'Your identity provider did not confirm the sign-in. Try again.',
  '403':
    'Your account may not sign in to this workspace with single sign-on. Ask an owner of your workspace.',
  '404': 'Single sign-on is not set up for your email domain. Sign in with your password.',
  '409': 'Several workspaces use single sign-on for your domain. Ask your administrator.',
  '429': 'Too many single sign-on attempts from your network. Wait a minute and try again.',
  '502': 'Your identity provider cannot be reached right now. Try again later.',
}

function takeSsoError(): string | undefined {
  const params = new URLSearchParams(location.search)
  const status = params.get('sso_error')
  if (status === null) return undefined
  params.delete('sso_error')
  const rest = params.toString()
  history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash)
  return SSO_ERRORS[status] ?? 'Single sign-on did not work. Try again.'
}

export interface LoginPageProps {
  api: ApiClient
  expired: boolean
  onSignedIn: (res: LoginResponse) => void
}

/**
 * Email + password sign-in, then (for a user with two-factor sign-in) the authenticator's code
 * or a recovery code. Errors stay generic: the server never says which one was wrong.
 */
export function LoginPage({ api, expired, onSignedIn }: LoginPageProps) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [needCode, setNeedCode] = useState(false)
  const [code, setCode] = useState('')
  const codeRef = useRef<HTMLInputElement>(null)
  const [showPassword, setShowPassword] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(takeSsoError)
  const emailRef = useRef<HTMLInputElement>(null)
  const passwordRef = useRef<HTMLInputElement>(null)

  useEffect(() => {
    document.title = 'Sign in · Aurion'
    emailRef.current?.focus()
  }, [])

  useEffect(() => {
    if (needCode) codeRef.current?.focus()
  }, [needCode])

  // Back from the provider's page (restored from the back/forward cache): usable again.
  useEffect(() => {
    const restored = (e: PageTransitionEvent) => {
      if (e.persisted) setBusy(false)
    }
    addEventListener('pageshow', restored)
    return () => removeEventListener('pageshow', restored)
  }, [])

  const startOver = () => {
    setNeedCode(false)
    setCode('')
    setPassword('')
    setError(undefined)
  }

  /** Single sign-on: the email's domain finds the workspace; the browser goes to its provider. */
  const signInWithSso = () => {
    if (!email.trim()) {
      setError('Enter your work email first: its domain finds your single sign-on.')
      emailRef.current?.focus()
      return
    }
    setBusy(true)
    location.assign(endpoints.ssoStartUrl(email.trim()))
  }

  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy) return
    if (!email.trim() || !password) {
      setError('Enter your email and password.')
      return
    }
    if (needCode && !code.trim()) {
      setError('Enter the 6-digit code from your authenticator app, or a recovery code.')
      return
    }
    setBusy(true)
    setError(undefined)
    try {
      const body = { email: email.trim(), password, ...(needCode ? { code: code.trim() } : {}) }
      onSignedIn(await api.send<LoginResponse>(endpoints.login(body)))
    } catch (err) {
      if (err instanceof ApiRequestError && err.extra.two_factor_required === true) {
        setNeedCode(true)
        return
      }
      setError(
        err instanceof ApiRequestError && err.status === 429 && err.retryAfterSec
          ? // Sign-ins are limited per address; codes per user.
            `${needCode ? 'Too many wrong codes' : 'Too many failed sign-ins from your network'}. Try again in ${formatWait(err.retryAfterSec)}.`
          : errorMessage(err),
      )
      if (needCode) {
        setCode('')
        codeRef.current?.focus()
      } else {
        setPassword('')
        passwordRef.current?.focus()
      }
    } finally {
      setBusy(false)
    }
  }

  return (
    <AuthCard
      title="Sign in to Aurion"
      intro={<p>Manage your support widget, knowledge and conversations.</p>}
    >
      {expired && !error && (
        <p class="banner banner-info" role="status">
          <Icon name="info" size={16} />
          Your session has ended. Sign in again to continue.
        </p>
      )}
      {error && <ErrorBanner>{error}</ErrorBanner>}
      <form onSubmit={submit} noValidate>
        {needCode ? (
          <AuthField
            id="login-code"
            label="Authentication code"
            inputRef={codeRef}
            class="code-input"
            name="code"
            inputMode="text"
            autoComplete="one-time-code"
            spellcheck={false}
            maxLength={64}
            hint={
              <>
                The 6-digit code from your authenticator app for {email.trim()}. Lost the device?
                Enter one of your recovery codes instead.
              </>
            }
            value={code}
            onValue={setCode}
          />
        ) : (
          <>
            <AuthField
              id="login-email"
              label="Email"
              inputRef={emailRef}
              type="email"
              name="email"
              autoComplete="username"
              value={email}
              onValue={setEmail}
              required
            />
            <PasswordField
              id="login-password"
              label="Password"
              inputRef={passwordRef}
              shown={showPassword}
              onToggle={setShowPassword}
              value={password}
              onValue={setPassword}
            />
          </>
        )}
        <SubmitButton busy={busy} class="btn btn-primary btn-block btn-lg">
          {busy ? 'Signing in…' : needCode ? 'Verify' : 'Sign in'}
        </SubmitButton>
        {needCode ? (
          <button type="button" class="btn btn-ghost btn-block" onClick={startOver}>
            Use another account
          </button>
        ) : (
          <button
            type="button"
            class="btn btn-secondary btn-block btn-lg login-sso"
            disabled={busy}
            onClick={signInWithSso}
          >
            <Icon name="shield" size={16} />
            Continue with SSO
          </button>
        )}
      </form>
      <p class="login-foot">
        No account? An operator creates one with <code>aurion user create</code>.
      </p>
    </AuthCard>
  )
}
