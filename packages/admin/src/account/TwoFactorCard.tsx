import type {
  TwoFactorEnableResponse,
  TwoFactorSetupResponse,
  TwoFactorStatus,
} from '@aurion/contract'
import { useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { Badge, CopyButton, ErrorBanner, LoadError, Loading } from '../components/Bits.tsx'
import { TextField } from '../components/Field.tsx'
import { Icon } from '../components/Icon.tsx'
import { DialogButtons, Modal } from '../components/Modal.tsx'
import { useApp } from '../lib/app-context.ts'
import { absoluteTime } from '../lib/format.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage, useAsync } from '../lib/use-async.ts'

/** Two-factor sign-in of the signed-in user: its state, setting it up, turning it off. */
export function TwoFactorCard() {
  const { api } = useApp()
  const status = useAsync(() => api.send<TwoFactorStatus>(endpoints.twoFactorStatus()), [api])
  const [settingUp, setSettingUp] = useState(false)
  const [turningOff, setTurningOff] = useState(false)
  const s = status.data

  return (
    <section class="card" aria-labelledby="tfa-title" aria-busy={status.loading}>
      <header class="card-head">
        <div>
          <h2 id="tfa-title">Two-factor sign-in</h2>
          <p>
            After your password, sign-in asks for a code from an authenticator app on your phone
            (Google Authenticator, 1Password, Authy…). A stolen password alone no longer opens your
            account.
          </p>
        </div>
      </header>
      {status.error && !s && (
        <LoadError message={status.error} onRetry={() => void status.reload()} />
      )}
      {!s && !status.error && <Loading label="Loading two-factor sign-in…" lines={2} />}
      {s && (
        <div class="tfa-state">
          <div class="tfa-line">
            {s.enabled ? <Badge tone="green">On</Badge> : <Badge>Off</Badge>}
            <span class="muted">
              {s.enabled && s.enabled_at
                ? `Since ${absoluteTime(s.enabled_at)} · ${s.recovery_codes_remaining} of 10 recovery codes left`
                : 'Only your password protects this account.'}
            </span>
          </div>
          {s.enabled ? (
            <button type="button" class="btn btn-secondary" onClick={() => setTurningOff(true)}>
              Turn off
            </button>
          ) : (
            <button type="button" class="btn btn-primary" onClick={() => setSettingUp(true)}>
              <Icon name="shield" size={16} />
              Set up
            </button>
          )}
        </div>
      )}
      <SetupDialog
        open={settingUp}
        onClose={() => {
          setSettingUp(false)
          void status.reload()
        }}
      />
      <TurnOffDialog
        open={turningOff}
        onClose={() => setTurningOff(false)}
        onDone={() => {
          setTurningOff(false)
          void status.reload()
        }}
      />
    </section>
  )
}

type Step =
  | { kind: 'password' }
  | { kind: 'scan'; setup: TwoFactorSetupResponse }
  | { kind: 'codes'; codes: string[] }

/** Password again → scan the QR code and type a code → the recovery codes, shown once. */
function SetupDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { api } = useApp()
  const [step, setStep] = useState<Step>({ kind: 'password' })
  const [password, setPassword] = useState('')
  const [code, setCode] = useState('')
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)

  const close = () => {
    setStep({ kind: 'password' })
    setPassword('')
    setCode('')
    setError(undefined)
    onClose()
  }
  const run = async (fn: () => Promise<void>) => {
    setBusy(true)
    setError(undefined)
    try {
      await fn()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  const submitPassword = (e: Event) => {
    e.preventDefault()
    if (!password) return setError('Enter your password')
    void run(async () => {
      const setup = await api.send<TwoFactorSetupResponse>(endpoints.twoFactorSetup(password))
      setPassword('')
      setStep({ kind: 'scan', setup })
    })
  }
  const submitCode = (e: Event) => {
    e.preventDefault()
    if (!/^\d{6}$/.test(code.replace(/\s/g, ''))) {
      return setError('Enter the 6-digit code the app shows')
    }
    void run(async () => {
      const res = await api.send<TwoFactorEnableResponse>(
        endpoints.twoFactorEnable(code.replace(/\s/g, '')),
      )
      setCode('')
      setStep({ kind: 'codes', codes: res.recovery_codes })
      toast.success('Two-factor sign-in is on')
    })
  }

  const title = step.kind === 'codes' ? 'Save your recovery codes' : 'Set up two-factor sign-in'
  return (
    <Modal open={open} title={title} onClose={close}>
      {error && <ErrorBanner>{error}</ErrorBanner>}
      {step.kind === 'password' && (
        <form class="stack" onSubmit={submitPassword} noValidate>
          <TextField
            label="Your password"
            type="password"
            autoComplete="current-password"
            value={password}
            onInput={setPassword}
            hint="Asked again before a change to how you sign in."
          />
          <DialogButtons busy={busy} label="Continue" onCancel={close} />
        </form>
      )}
      {step.kind === 'scan' && (
        <form class="stack" onSubmit={submitCode} noValidate>
          <div class="tfa-scan">
            <img
              class="tfa-qr"
              width={176}
              height={176}
              alt="QR code to scan with your authenticator app"
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(step.setup.qr_svg)}`}
            />
            <div class="tfa-scan-text">
              <p>1. Scan this code with your authenticator app.</p>
              <p class="muted">Cannot scan? Type this key into the app:</p>
              <div class="secret-box">
                <code class="mono secret-value" data-testid="totp-secret">
                  {step.setup.secret.replace(/(.{4})/g, '$1 ').trim()}
                </code>
                <CopyButton text={step.setup.secret} label="Copy" what="Key" small />
              </div>
            </div>
          </div>
          <TextField
            label="2. Enter the 6-digit code the app shows"
            value={code}
            onInput={setCode}
            autoComplete="one-time-code"
            inputProps={{ inputMode: 'numeric', class: 'input code-input' }}
          />
          <DialogButtons busy={busy} label="Turn on" onCancel={close} />
        </form>
      )}
      {step.kind === 'codes' && (
        <div class="stack">
          <p class="banner banner-warn">
            <Icon name="alert" size={16} />
            Each code signs you in once if you lose your phone. This is the only time they are
            shown: store them in your password manager.
          </p>
          <ul class="recovery-codes" data-testid="recovery-codes">
            {step.codes.map((c) => (
              <li key={c}>
                <code class="mono">{c}</code>
              </li>
            ))}
          </ul>
          <div class="modal-foot inline">
            <CopyButton text={step.codes.join('\n')} label="Copy all" what="Recovery codes" />
            <button type="button" class="btn btn-primary" onClick={close}>
              I have stored them
            </button>
          </div>
        </div>
      )}
    </Modal>
  )
}

/** Turning it off needs a current code (app or recovery) or the password. */
function TurnOffDialog({
  open,
  onClose,
  onDone,
}: {
  open: boolean
  onClose: () => void
  onDone: () => void
}) {
  const { api } = useApp()
  const [withPassword, setWithPassword] = useState(false)
  const [value, setValue] = useState('')
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const reset = () => {
    setValue('')
    setError(undefined)
    setWithPassword(false)
  }
  const submit = async (e: Event) => {
    e.preventDefault()
    if (!value.trim()) return setError(withPassword ? 'Enter your password' : 'Enter a code')
    setBusy(true)
    setError(undefined)
    try {
      await api.send(
        endpoints.twoFactorDisable(withPassword ? { password: value } : { code: value.trim() }),
      )
      toast.success('Two-factor sign-in is off')
      reset()
      onDone()
    } catch (err) {
      setError(errorMessage(err))
      setValue('')
    } finally {
      setBusy(false)
    }
  }
  return (
    <Modal
      open={open}
      size="sm"
      title="Turn off two-factor sign-in?"
      onClose={() => {
        reset()
        onClose()
      }}
      description={
        <p>Sign-in will ask only for your password. Your recovery codes stop working.</p>
      }
    >
      <form class="stack" onSubmit={submit} noValidate>
        {error && <ErrorBanner>{error}</ErrorBanner>}
        <TextField
          label={withPassword ? 'Your password' : 'Code from your app, or a recovery code'}
          type={withPassword ? 'password' : 'text'}
          autoComplete={withPassword ? 'current-password' : 'one-time-code'}
          value={value}
          onInput={setValue}
        />
        <button
          type="button"
          class="link-btn tfa-switch"
          onClick={() => {
            setWithPassword(!withPassword)
            setValue('')
            setError(undefined)
          }}
        >
          {withPassword ? 'Use a code instead' : 'Use your password instead'}
        </button>
        <DialogButtons
          busy={busy}
          label="Turn off"
          danger
          onCancel={() => {
            reset()
            onClose()
          }}
        />
      </form>
    </Modal>
  )
}
