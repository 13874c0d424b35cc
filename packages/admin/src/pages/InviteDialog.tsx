import type { TeamInviteCreatedResponse, TeamRole } from '@aurion/contract'
import { useState } from 'preact/hooks'
import { ApiRequestError } from '../api/client.ts'
import { endpoints } from '../api/endpoints.ts'
import { CopyButton } from '../components/Bits.tsx'
import { TextField } from '../components/Field.tsx'
import { Icon } from '../components/Icon.tsx'
import { DialogButtons, Modal } from '../components/Modal.tsx'
import { useApp } from '../lib/app-context.ts'
import { ROLE_LABEL, ROLE_TEXT } from '../lib/roles.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage } from '../lib/use-async.ts'

/**
 * Invites a teammate: email, name and role. When the server mails the link the dialog says so;
 * otherwise it shows the link this once to copy and pass on.
 */
export function InviteDialog({
  open,
  roles,
  onClose,
  onInvited,
}: {
  open: boolean
  roles: TeamRole[]
  onClose: () => void
  onInvited: (i: TeamInviteCreatedResponse) => void
}) {
  const { api } = useApp()
  const [email, setEmail] = useState('')
  const [name, setName] = useState('')
  const [role, setRole] = useState<TeamRole>('agent')
  const [errors, setErrors] = useState<{ email?: string; name?: string }>({})
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<TeamInviteCreatedResponse | undefined>(undefined)

  const close = () => {
    setEmail('')
    setName('')
    setRole('agent')
    setErrors({})
    setResult(undefined)
    onClose()
  }
  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy) return
    const errs: typeof errors = {}
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()))
      errs.email = 'Enter an email address such as sam@example.com'
    if (name.trim().length > 200) errs.name = 'At most 200 characters'
    setErrors(errs)
    if (errs.email || errs.name) return
    setBusy(true)
    try {
      const res = await api.send<TeamInviteCreatedResponse>(
        endpoints.createInvite({
          email: email.trim(),
          role,
          ...(name.trim() ? { name: name.trim() } : {}),
        }),
      )
      setResult(res)
      onInvited(res)
      if (res.mailed) toast.success(`Invitation sent to ${res.email}`)
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 422) {
        const byField: typeof errors = {}
        for (const i of err.issues) {
          if (i.loc[1] === 'email') byField.email = i.msg
          else if (i.loc[1] === 'name') byField.name = i.msg
        }
        setErrors(byField)
      } else if (err instanceof ApiRequestError && err.status === 409) {
        setErrors({ email: err.detail })
      }
      toast.error(`Not invited: ${errorMessage(err)}`)
    } finally {
      setBusy(false)
    }
  }

  if (result) {
    return (
      <Modal
        open={open}
        title={result.mailed ? 'Invitation sent' : 'Share the invitation link'}
        onClose={close}
        description={
          result.mailed ? (
            <p>
              We emailed <strong>{result.email}</strong> a link to choose a password. It works once,
              for 72 hours.
            </p>
          ) : (
            <p class="banner banner-warn">
              <Icon name="alert" size={16} />
              This server sends no email. Copy the link now and send it to {result.email} yourself:
              it is shown only this once and works once, for 72 hours.
            </p>
          )
        }
        footer={
          <button type="button" class="btn btn-primary" onClick={close}>
            Done
          </button>
        }
      >
        {result.invite_url && (
          <div class="secret-box">
            <code class="mono secret-value" data-testid="invite-url">
              {result.invite_url}
            </code>
            <CopyButton
              text={result.invite_url}
              label="Copy link"
              what="Invitation link"
              variant="primary"
              small
            />
          </div>
        )}
      </Modal>
    )
  }

  return (
    <Modal open={open} title="Invite a teammate" onClose={close}>
      <form onSubmit={submit} class="stack" noValidate>
        <TextField
          label="Email"
          type="email"
          value={email}
          error={errors.email}
          placeholder="sam@example.com"
          onInput={setEmail}
        />
        <TextField
          label="Name"
          optional
          value={name}
          max={200}
          error={errors.name}
          placeholder="Sam Lee"
          hint="They can change it when they accept."
          onInput={setName}
        />
        <fieldset class="field">
          <legend class="field-label">Role</legend>
          <div class="scope-list">
            {roles.map((r) => (
              <label key={r} class="scope-option">
                <input
                  type="radio"
                  name="invite-role"
                  value={r}
                  checked={role === r}
                  onChange={() => setRole(r)}
                />
                <span>
                  <span class="scope-title">{ROLE_LABEL[r]}</span>
                  <span class="scope-text">{ROLE_TEXT[r]}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <DialogButtons busy={busy} label="Send invitation" onCancel={close} />
      </form>
    </Modal>
  )
}
