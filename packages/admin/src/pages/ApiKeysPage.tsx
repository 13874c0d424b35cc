import {
  API_KEY_SCOPES,
  type ApiKeyCreatedResponse,
  type ApiKeyInfo,
  type ApiKeyListResponse,
  type ApiKeyScope,
} from '@aurion/contract'
import { useState } from 'preact/hooks'
import { ApiRequestError } from '../api/client.ts'
import { endpoints } from '../api/endpoints.ts'
import { Badge, EmptyState, PageHeader } from '../components/Bits.tsx'
import { TextField } from '../components/Field.tsx'
import { Icon } from '../components/Icon.tsx'
import { DataTable, ListCard, RowButton } from '../components/ListCard.tsx'
import { ConfirmAction, DialogButtons, Modal } from '../components/Modal.tsx'
import { SecretOnceModal } from '../components/SecretOnceModal.tsx'
import { useApp } from '../lib/app-context.ts'
import { absoluteTime, relativeTime } from '../lib/format.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage, useAsync } from '../lib/use-async.ts'

const SCOPE_INFO: Record<ApiKeyScope, { title: string; text: string }> = {
  'config:read': {
    title: 'Read widget settings',
    text: 'GET /voice-widget/config and /ga-readiness',
  },
  'config:write': {
    title: 'Change widget settings',
    text: 'PUT /config, regenerate the key, voice tokens',
  },
  'knowledge:read': { title: 'Read knowledge', text: 'List articles and try questions' },
  'knowledge:write': { title: 'Edit knowledge', text: 'Create, change and delete articles' },
  'conversations:read': {
    title: 'Read conversations',
    text: 'Visitors’ conversations and messages',
  },
  'conversations:write': {
    title: 'Answer conversations',
    text: 'Reply, take over, assign, resolve',
  },
  'audit:read': { title: 'Read the audit log', text: 'Who changed what, and when' },
  'privacy:read': { title: 'Export visitor data', text: 'Everything stored about an email' },
  'privacy:write': { title: 'Erase visitor data', text: 'Delete everything about an email' },
  'help-center:read': { title: 'Read Help Center settings', text: 'GET /help-center' },
  'help-center:write': {
    title: 'Change the Help Center',
    text: 'PUT /help-center: address, title, on/off',
  },
  'webhooks:read': { title: 'Read webhooks', text: 'Endpoints and their delivery log' },
  'webhooks:write': {
    title: 'Manage webhooks',
    text: 'Add, change and test endpoints, rotate secrets, redeliver',
  },
  'analytics:read': {
    title: 'Read analytics',
    text: 'Resolution, hand-off and satisfaction figures, unanswered questions',
  },
}

/** API keys: create with chosen scopes (the key is shown once), list, revoke. */
export function ApiKeysPage() {
  const { api } = useApp()
  const keys = useAsync(() => api.send<ApiKeyListResponse>(endpoints.listApiKeys()), [api])
  const [creating, setCreating] = useState(false)
  const [created, setCreated] = useState<ApiKeyCreatedResponse | undefined>(undefined)
  const [revoking, setRevoking] = useState<ApiKeyInfo | undefined>(undefined)
  const [showRevoked, setShowRevoked] = useState(false)

  const all = keys.data?.api_keys ?? []
  const active = all.filter((k) => !k.revoked_at)
  const revokedCount = all.length - active.length
  const shown = showRevoked ? all : active

  return (
    <div class="page">
      <PageHeader
        breadcrumb="Configuration"
        title="API keys"
        description={
          <>
            Keys for your own code to call the admin API (<code>X-API-Key: itsm_sk_…</code>). They
            are secrets: keep them on servers, never in web pages. The widget does not need one.
          </>
        }
        actions={
          <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
            <Icon name="plus" size={16} />
            Create API key
          </button>
        }
      />

      <ListCard
        id="keys-title"
        title="Keys"
        actions={
          revokedCount > 0 && (
            <label class="check-inline">
              <input
                type="checkbox"
                checked={showRevoked}
                onChange={(e) => setShowRevoked(e.currentTarget.checked)}
              />
              Show {revokedCount} revoked
            </label>
          )
        }
        list={keys}
        loading={{ label: 'Loading API keys…' }}
        empty={shown.length === 0}
        emptyState={
          <EmptyState
            icon="key"
            title="No API keys yet"
            action={
              <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
                <Icon name="plus" size={16} />
                Create API key
              </button>
            }
          >
            Create one to manage the widget or the knowledge base from scripts and CI.
          </EmptyState>
        }
      >
        <DataTable columns={['Name', 'Key', 'Scopes', 'Created', 'Last used']}>
          {shown.map((k) => (
            <tr key={k.id} class={k.revoked_at ? 'row-muted' : undefined} data-key-id={k.id}>
              <td class="strong nowrap">{k.name}</td>
              <td>
                <code class="mono key-prefix">{k.prefix}…</code>
              </td>
              <td>
                <div class="chips">
                  {k.scopes.map((s) => (
                    <span class="chip" key={s}>
                      {s}
                    </span>
                  ))}
                </div>
              </td>
              <td class="nowrap" title={absoluteTime(k.created_at)}>
                {relativeTime(k.created_at)}
              </td>
              <td class="nowrap" title={k.last_used_at ? absoluteTime(k.last_used_at) : undefined}>
                {k.last_used_at ? relativeTime(k.last_used_at) : <span class="muted">Never</span>}
              </td>
              <td class="cell-actions">
                {k.revoked_at ? (
                  <Badge tone="red">Revoked {relativeTime(k.revoked_at)}</Badge>
                ) : (
                  <RowButton danger label={`Revoke ${k.name}`} onClick={() => setRevoking(k)}>
                    Revoke
                  </RowButton>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      </ListCard>

      <CreateKeyDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(k) => {
          setCreating(false)
          setCreated(k)
          keys.setData((prev) => ({ api_keys: [k, ...(prev?.api_keys ?? [])] }))
        }}
      />

      <SecretOnceModal
        secret={created?.api_key}
        title="Copy your new API key"
        warning="This is the only time the key is shown. Store it in your secret manager now."
        owner={created && `${created.name} · ${created.scopes.join(', ')}`}
        what="API key"
        copyLabel="Copy key"
        testId="new-api-key"
        onClose={() => setCreated(undefined)}
      />

      <ConfirmAction
        target={revoking}
        danger
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke key"
        description={
          <p>
            Requests with <code class="mono">{revoking?.prefix}…</code> fail with 401 from now on.
            Anything using it stops working until you give it a new key. This cannot be undone.
          </p>
        }
        onClose={() => setRevoking(undefined)}
        failure="Not revoked"
        action={async (r) => {
          const res = await api.send<ApiKeyInfo>(endpoints.revokeApiKey(r.id))
          keys.setData((prev) => ({
            api_keys: (prev?.api_keys ?? []).map((k) =>
              k.id === r.id ? { ...k, revoked_at: res?.revoked_at ?? new Date().toISOString() } : k,
            ),
          }))
          toast.success(`${r.name} revoked`)
        }}
      />
    </div>
  )
}

function CreateKeyDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean
  onClose: () => void
  onCreated: (k: ApiKeyCreatedResponse) => void
}) {
  const { api } = useApp()
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['config:read'])
  const [errors, setErrors] = useState<{ name?: string; scopes?: string }>({})
  const [busy, setBusy] = useState(false)

  const reset = () => {
    setName('')
    setScopes(['config:read'])
    setErrors({})
  }
  const close = () => {
    reset()
    onClose()
  }
  const submit = async (e: Event) => {
    e.preventDefault()
    const errs: typeof errors = {}
    if (!name.trim()) errs.name = 'Give the key a name, e.g. the system that will use it'
    else if (name.trim().length > 100) errs.name = 'At most 100 characters'
    if (scopes.length === 0) errs.scopes = 'Choose at least one scope'
    setErrors(errs)
    if (errs.name || errs.scopes) return
    setBusy(true)
    try {
      const k = await api.send<ApiKeyCreatedResponse>(
        endpoints.createApiKey({ name: name.trim(), scopes }),
      )
      reset()
      onCreated(k)
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 422) {
        const byField: typeof errors = {}
        for (const i of err.issues) {
          if (i.loc[1] === 'name') byField.name = i.msg
          else if (i.loc[1] === 'scopes') byField.scopes = i.msg
        }
        setErrors(byField)
      }
      toast.error(`Key not created: ${errorMessage(err)}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal open={open} title="Create an API key" onClose={close}>
      <form onSubmit={submit} class="stack" noValidate>
        <TextField
          label="Name"
          value={name}
          max={100}
          error={errors.name}
          placeholder="CI deploy, CRM sync…"
          hint="Shown in this list so you know what uses the key."
          onInput={setName}
        />
        <fieldset class="field">
          <legend class="field-label">Scopes</legend>
          <p class="field-hint">Grant only what the key’s user needs.</p>
          <div class="scope-list">
            {API_KEY_SCOPES.map((s) => (
              <label key={s} class="scope-option">
                <input
                  type="checkbox"
                  checked={scopes.includes(s)}
                  onChange={(e) =>
                    setScopes(
                      e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s),
                    )
                  }
                />
                <span>
                  <span class="scope-title">
                    {SCOPE_INFO[s].title} <code class="mono">{s}</code>
                  </span>
                  <span class="scope-text">{SCOPE_INFO[s].text}</span>
                </span>
              </label>
            ))}
          </div>
          {errors.scopes && (
            <p class="field-error">
              <Icon name="alert" size={14} />
              <span>{errors.scopes}</span>
            </p>
          )}
        </fieldset>
        <DialogButtons busy={busy} label="Create key" onCancel={close} />
      </form>
    </Modal>
  )
}
