import type { LoginResponse } from '@aurion/contract'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { ApiClient } from '../api/client.ts'
import { endpoints } from '../api/endpoints.ts'
import { Icon } from '../components/Icon.tsx'
import { errorMessage } from '../lib/use-async.ts'

export interface LoginPageProps {
  api: ApiClient
  expired: boolean
  onSignedIn: (res: LoginResponse) => void
}

/** Email + password sign-in. Errors stay generic: the server never says which one was wrong. */
export function LoginPage({ api, expired, onSignedIn }: LoginPageProps) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [showPassword, setShowPassword] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const emailRef = useRef<HTMLInputElement>(null)
  const passwordRef = useRef<HTMLInputElement>(null)

  useEffect(() => {
    document.title = 'Sign in · Aurion'
    emailRef.current?.focus()
  }, [])

  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy) return
    if (!email.trim() || !password) {
      setError('Enter your email and password.')
      return
    }
    setBusy(true)
    setError(undefined)
    try {
      onSignedIn(await api.send<LoginResponse>(endpoints.login({ email: email.trim(), password })))
    } catch (err) {
      setError(errorMessage(err))
      setPassword('')
      passwordRef.current?.focus()
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class="login">
      <div class="login-card">
        <div class="login-brand">
          <span class="brand-mark brand-mark-lg" aria-hidden="true">
            A
          </span>
          <h1>Sign in to Aurion</h1>
          <p>Manage your support widget, knowledge and conversations.</p>
        </div>
        {expired && !error && (
          <p class="banner banner-info" role="status">
            <Icon name="info" size={16} />
            Your session has ended. Sign in again to continue.
          </p>
        )}
        {error && (
          <p class="banner banner-error" role="alert">
            <Icon name="alert" size={16} />
            {error}
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <div class="field">
            <label class="field-label" for="login-email">
              Email
            </label>
            <input
              ref={emailRef}
              id="login-email"
              class="input input-lg"
              type="email"
              name="email"
              autoComplete="username"
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
              required
            />
          </div>
          <div class="field">
            <label class="field-label" for="login-password">
              Password
            </label>
            <div class="input-affix">
              <input
                ref={passwordRef}
                id="login-password"
                class="input input-lg"
                type={showPassword ? 'text' : 'password'}
                name="password"
                autoComplete="current-password"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
                required
              />
              <button
                type="button"
                class="icon-btn affix-btn"
                aria-label={showPassword ? 'Hide password' : 'Show password'}
                aria-pressed={showPassword}
                onClick={() => setShowPassword(!showPassword)}
              >
                <Icon name={showPassword ? 'eyeOff' : 'eye'} />
              </button>
            </div>
          </div>
          <button
            type="submit"
            class="btn btn-primary btn-block btn-lg"
            disabled={busy}
            aria-busy={busy}
          >
            {busy && <span class="spinner" aria-hidden="true" />}
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p class="login-foot">
          No account? An operator creates one with <code>aurion user create</code>.
        </p>
      </div>
    </main>
  )
}
