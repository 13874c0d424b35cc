import type { InviteLookupResponse, LoginResponse } from '@aurion/contract'
import { useEffect, useRef, useState } from 'preact/hooks'
import { type ApiClient, ApiRequestError } from '../api/client.ts'
import { endpoints } from '../api/endpoints.ts'
import { AuthCard } from '../components/AuthCard.tsx'
import { AuthField, PasswordField } from '../components/AuthField.tsx'
import { ErrorBanner } from '../components/Bits.tsx'
import { SubmitButton } from '../components/Field.tsx'
import { ROLE_LABEL, ROLE_TEXT } from '../lib/roles.ts'
import { navigate } from '../lib/router.ts'
import { errorMessage } from '../lib/use-async.ts'

const MIN_PASSWORD = 10

export interface InvitePageProps {
  api: ApiClient
  token: string
  onSignedIn: (res: LoginResponse) => void
}

/**
 * The page of an invitation link (`/admin/invite/<token>`): whom it is for, then a name and a
 * password; accepting creates the account and signs in. A used or expired link says so.
 */
export function InvitePage({ api, token, onSignedIn }: InvitePageProps) {
  const [invite, setInvite] = useState<InviteLookupResponse | undefined>(undefined)
  const [loadError, setLoadError] = useState<string | undefined>(undefined)
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [repeat, setRepeat] = useState('')
  const [showPassword, setShowPassword] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const passwordRef = useRef<HTMLInputElement>(null)

  useEffect(() => {
    document.title = 'Join your team · Aurion'
    let live = true
    api.send<InviteLookupResponse>(endpoints.lookupInvite(token)).then(
      (i) => {
        if (!live) return
        setInvite(i)
        setName(i.name ?? '')
      },
      (err) => live && setLoadError(errorMessage(err)),
    )
    return () => {
      live = false
    }
  }, [api, token])

  useEffect(() => {
    if (invite) passwordRef.current?.focus()
  }, [invite])

  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy) return
    if ([...password].length < MIN_PASSWORD)
      return setError(`Choose a password of at least ${MIN_PASSWORD} characters.`)
    if (password !== repeat) return setError('The two passwords differ.')
    setBusy(true)
    setError(undefined)
    try {
      const res = await api.send<LoginResponse>(
        endpoints.acceptInvite({
          token,
          password,
          ...(name.trim() ? { name: name.trim() } : {}),
        }),
      )
      navigate('/', { replace: true })
      onSignedIn(res)
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 400) {
        setInvite(undefined)
        setLoadError(err.detail)
      } else setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <AuthCard
      title={invite ? `Join ${invite.tenant.name}` : 'Join your team'}
      intro={
        invite && (
          <p>
            You are invited as <strong>{ROLE_LABEL[invite.role].toLowerCase()}</strong>:{' '}
            {ROLE_TEXT[invite.role].toLowerCase()}.
          </p>
        )
      }
    >
      {!invite && !loadError && (
        <p class="login-loading" role="status">
          <span class="spinner spinner-dark" aria-hidden="true" /> Checking your invitation…
        </p>
      )}
      {loadError && (
        <>
          <ErrorBanner>{loadError}. Ask whoever invited you for a new link.</ErrorBanner>
          <a
            class="btn btn-secondary btn-block"
            href="/admin"
            onClick={(e) => {
              e.preventDefault()
              navigate('/', { replace: true })
            }}
          >
            Go to sign in
          </a>
        </>
      )}
      {invite && (
        <form onSubmit={submit} noValidate>
          {error && <ErrorBanner>{error}</ErrorBanner>}
          <AuthField
            id="invite-email"
            label="Email"
            type="email"
            name="email"
            autoComplete="username"
            value={invite.email}
            readOnly
          />
          <AuthField
            id="invite-name"
            label="Your name"
            name="name"
            autoComplete="name"
            maxLength={200}
            value={name}
            onValue={setName}
          />
          <PasswordField
            id="invite-password"
            label="Choose a password"
            inputRef={passwordRef}
            isNew
            shown={showPassword}
            onToggle={setShowPassword}
            hint={<>At least {MIN_PASSWORD} characters. A few words you remember work well.</>}
            value={password}
            onValue={setPassword}
          />
          <AuthField
            id="invite-repeat"
            label="Repeat the password"
            type={showPassword ? 'text' : 'password'}
            name="repeat-password"
            autoComplete="new-password"
            value={repeat}
            onValue={setRepeat}
            required
          />
          <SubmitButton busy={busy} class="btn btn-primary btn-block btn-lg">
            {busy ? 'Joining…' : 'Join and sign in'}
          </SubmitButton>
        </form>
      )}
    </AuthCard>
  )
}
