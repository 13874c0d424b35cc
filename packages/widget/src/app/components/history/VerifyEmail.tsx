import { useState } from 'preact/hooks'
import { requestCode, verifyCode } from '../../chat/email-code.ts'
import { ApiFailure } from '../../chat/endpoints.ts'
import { fill } from '../../i18n.ts'
import { useApp, useStore } from '../context.ts'

export interface VerifyEmailProps {
  /** The email was proven: read the history again (it now lists every device). */
  onVerified(): void
}

/**
 * Under the past conversations of a token that does not prove its email: says that history
 * from other devices needs a verified email and, when the server can mail a code, proves it.
 */
export function VerifyEmail({ onVerified }: VerifyEmailProps) {
  const { session, t } = useApp()
  useStore(session)
  const [step, setStep] = useState<'ask' | 'code'>('ask')
  const [code, setCode] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const { emailVerified, codeAvailable, email } = session.state
  if (emailVerified !== false) return null

  const send = async () => {
    setBusy(true)
    setError('')
    try {
      await requestCode(session)
      setStep('code')
    } catch (err) {
      setError(err instanceof ApiFailure && err.status === 429 ? t.codeLimited : t.codeFailed)
    } finally {
      setBusy(false)
    }
  }
  const verify = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      await verifyCode(session, code.trim())
      onVerified()
    } catch {
      setError(t.codeInvalid)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="aw-verify" data-testid="verify-email">
      <p class="aw-note">{t.otherDevices}</p>
      {codeAvailable && step === 'ask' && (
        <button type="button" class="aw-btn" data-ghost="" onClick={send} disabled={busy}>
          {t.sendCode}
        </button>
      )}
      {step === 'code' && (
        <form onSubmit={verify} noValidate>
          <p>{fill(t.codeSent, { email: email ?? '' })}</p>
          <label class="aw-field">
            {t.code}
            <input
              type="text"
              inputMode="numeric"
              autocomplete="one-time-code"
              maxLength={16}
              value={code}
              aria-invalid={error ? 'true' : undefined}
              onInput={(e) => setCode((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" class="aw-btn" disabled={busy || code.trim() === ''}>
            {t.verify}
          </button>
        </form>
      )}
      {error && (
        <p class="aw-err" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}
