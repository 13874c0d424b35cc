import type { RotateIdentitySecretResponse } from '@aurion/contract'
import { useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { CopyButton } from '../components/Bits.tsx'
import { Toggle } from '../components/Field.tsx'
import { Icon } from '../components/Icon.tsx'
import { ConfirmDialog } from '../components/Modal.tsx'
import { useApp } from '../lib/app-context.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage } from '../lib/use-async.ts'
import type { Draft } from './draft.ts'

export interface IdentitySectionProps {
  draft: Draft
  update: (patch: Partial<Draft>) => void
  secret: string
  onSecretRotated: (secret: string) => void
}

/** Identity verification (`user_hash`), single sign-on of known visitors, and voice auth. */
export function IdentitySection({ draft, update, secret, onSecretRotated }: IdentitySectionProps) {
  const { api } = useApp()
  const [revealed, setRevealed] = useState(false)
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  return (
    <section class="card" aria-labelledby="identity-title">
      <header class="card-head">
        <div>
          <h2 id="identity-title">Visitor identity</h2>
          <p>How the widget trusts who a visitor says they are.</p>
        </div>
      </header>
      <Toggle
        label="Require identity verification"
        description={
          <>
            Your server signs each visitor’s email:{' '}
            <code>user_hash = HMAC-SHA256(email, identity secret)</code>, passed in{' '}
            <code>AurionSettings.user</code>. Emails without a valid hash are refused.
          </>
        }
        checked={draft.identity_verification_required}
        onChange={(v) => update({ identity_verification_required: v })}
      />
      <div class="secret-row">
        <span class="field-label" id="secret-label">
          Identity secret
        </span>
        <div class="secret-box">
          <code class="mono secret-value">{revealed ? secret : '•'.repeat(32)}</code>
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            aria-pressed={revealed}
            onClick={() => setRevealed(!revealed)}
          >
            <Icon name={revealed ? 'eyeOff' : 'eye'} size={16} />
            {revealed ? 'Hide' : 'Reveal'}
          </button>
          <CopyButton text={secret} label="Copy" what="Identity secret" variant="ghost" small />
          <button
            type="button"
            class="btn btn-ghost btn-sm danger-text"
            onClick={() => setConfirming(true)}
          >
            <Icon name="refresh" size={16} />
            Rotate
          </button>
        </div>
        <p class="field-hint">Keep it on your server only; never put it in a web page.</p>
      </div>
      <Toggle
        label="Sign in known visitors automatically"
        description="With AurionSettings.user set by your page, the visitor is signed in without being asked for an email."
        checked={draft.sso_auto_login}
        onChange={(v) => update({ sso_auto_login: v })}
      />
      <Toggle
        label="Verify voice callers"
        description="When off, a caller whose self-asserted email matches a known contact is treated as that contact."
        checked={draft.voice_auth_enabled}
        onChange={(v) => update({ voice_auth_enabled: v })}
      />
      <ConfirmDialog
        open={confirming}
        danger
        busy={busy}
        title="Rotate the identity secret?"
        confirmLabel="Rotate secret"
        description={
          <p>
            Hashes made with the current secret <strong>fail at once</strong>: with identity
            verification on, signed-in visitors cannot start chats until your server uses the new
            secret.
          </p>
        }
        onClose={() => setConfirming(false)}
        onConfirm={async () => {
          setBusy(true)
          try {
            const res = await api.send<RotateIdentitySecretResponse>(
              endpoints.rotateIdentitySecret(),
            )
            onSecretRotated(res.identity_secret)
            setRevealed(true)
            setConfirming(false)
            toast.success('New identity secret issued. Update your server’s copy.')
          } catch (err) {
            toast.error(errorMessage(err))
          } finally {
            setBusy(false)
          }
        }}
      />
    </section>
  )
}
