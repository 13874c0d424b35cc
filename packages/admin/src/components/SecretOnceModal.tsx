import type { ComponentChildren } from 'preact'
import { CopyButton } from './Bits.tsx'
import { Icon } from './Icon.tsx'
import { Modal } from './Modal.tsx'

interface SecretOnceModalProps {
  /** The secret to show; the dialog is open while it is set. */
  secret: string | undefined
  title: string
  /** Why it is shown once and what it is for (after "This is the only time…"). */
  warning: ComponentChildren
  /** What the secret belongs to (a key's name and scopes, an endpoint's URL). */
  owner: ComponentChildren
  ownerClass?: string
  /** "API key", "Signing secret": the copy button's label and toast. */
  what: string
  copyLabel: string
  testId: string
  onClose: () => void
}

/**
 * A secret the server shows exactly once (a new API key, a webhook signing secret): the warning,
 * the value with a copy button, and "I have stored it".
 */
export function SecretOnceModal(p: SecretOnceModalProps) {
  return (
    <Modal
      open={p.secret !== undefined}
      title={p.title}
      onClose={p.onClose}
      description={
        <p class="banner banner-warn">
          <Icon name="alert" size={16} />
          {p.warning}
        </p>
      }
      footer={
        <button type="button" class="btn btn-primary" onClick={p.onClose}>
          I have stored it
        </button>
      }
    >
      {p.secret !== undefined && (
        <div class="new-key">
          <p class={p.ownerClass ? `new-key-name ${p.ownerClass}` : 'new-key-name'}>{p.owner}</p>
          <div class="secret-box">
            <code class="mono secret-value" data-testid={p.testId}>
              {p.secret}
            </code>
            <CopyButton text={p.secret} label={p.copyLabel} what={p.what} variant="primary" small />
          </div>
        </div>
      )}
    </Modal>
  )
}
