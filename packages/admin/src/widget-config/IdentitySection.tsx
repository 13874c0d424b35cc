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
}

/**
 * Identity verification (`user_hash`), single sign-on of known visitors, and voice auth. The
 * identity secret is write-only: the server never returns it with the config, so it is shown
 * here once, right after a rotation issues it, and forgotten when the page is left.
 */
export function IdentitySection({ draft, update }: IdentitySectionProps) {
  const { api } = useApp()
  const [issued, setIssued] = useState<string | undefined>(undefined)
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
          {issued === undefined ? (
            <span class="secret-value secret-hidden">
              Hidden. It is shown once, when it is issued.
            </span>
          ) : (
            <>
              <code class="mono secret-value" data-testid="identity-secret">
                {issued}
              </code>
              <CopyButton text={issued} label="Copy" what="Identity secret" variant="ghost" small />
            </>
          )}
          <button
            type="button"
            class="btn btn-ghost btn-sm danger-text"
            onClick={() => setConfirming(true)}
          >
            <Icon name="refresh" size={16} />
            {issued === undefined ? 'Issue new secret' : 'Rotate'}
          </button>
        </div>
        <p class="field-hint" role={issued === undefined ? undefined : 'status'}>
          {issued === undefined
            ? 'Lost it? Issue a new one and update your server. Keep it on your server only; never put it in a web page.'
            : 'Copy it to your server now: it will not be shown again. Never put it in a web page.'}
        </p>
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
            setIssued(res.identity_secret)
            setConfirming(false)
            toast.success('New identity secret issued. Copy it to your server now.')
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
