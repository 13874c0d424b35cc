import type {
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
} from '@aurion/contract'
import { useState } from 'preact/hooks'
import { endpoints } from '../../api/endpoints.ts'
import { Badge, EmptyState, PageHeader } from '../../components/Bits.tsx'
import { Icon } from '../../components/Icon.tsx'
import { ListCard, RowButton } from '../../components/ListCard.tsx'
import { ConfirmAction } from '../../components/Modal.tsx'
import { SecretOnceModal } from '../../components/SecretOnceModal.tsx'
import { useApp } from '../../lib/app-context.ts'
import { cx } from '../../lib/format.ts'
import { toast } from '../../lib/toast.ts'
import { dropItem, errorMessage, useAsync } from '../../lib/use-async.ts'
import { DeliveryLog } from './DeliveryLog.tsx'
import { EndpointDialog } from './EndpointDialog.tsx'

const DISABLED_TEXT: Record<string, string> = {
  gone: 'Off: the endpoint answered 410 Gone',
  failing: 'Off: every delivery failed for a day',
}

/**
 * Integrations: webhook endpoints that receive the tenant's events (add, edit, switch off,
 * delete, rotate the signing secret), the secret shown once, and the selected endpoint's
 * delivery log with a test event and redelivery.
 */
export function IntegrationsPage() {
  const { api } = useApp()
  const list = useAsync(() => api.send<WebhookEndpointList>(endpoints.listWebhooks()), [api])
  const [dialog, setDialog] = useState<{ editing: WebhookEndpoint | undefined } | undefined>()
  const [secret, setSecret] = useState<{ url: string; secret: string; rotated: boolean }>()
  const [deleting, setDeleting] = useState<WebhookEndpoint | undefined>(undefined)
  const [rotating, setRotating] = useState<WebhookEndpoint | undefined>(undefined)
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined)

  const hooks = list.data?.webhooks ?? []
  const selected = hooks.find((h) => h.id === selectedId) ?? hooks[0]
  const replace = (e: WebhookEndpoint) =>
    list.setData((prev) => ({
      webhooks: (prev?.webhooks ?? []).map((h) => (h.id === e.id ? e : h)),
    }))

  const setEnabled = async (h: WebhookEndpoint, enabled: boolean) => {
    try {
      replace(await api.send<WebhookEndpoint>(endpoints.updateWebhook(h.id, { enabled })))
      toast.success(enabled ? 'Endpoint switched on' : 'Endpoint switched off')
    } catch (err) {
      toast.error(`Not changed: ${errorMessage(err)}`)
    }
  }
  const addButton = (
    <button type="button" class="btn btn-primary" onClick={() => setDialog({ editing: undefined })}>
      <Icon name="plus" size={16} />
      Add endpoint
    </button>
  )

  return (
    <div class="page">
      <PageHeader
        breadcrumb="Configuration"
        title="Integrations"
        description={
          <>
            Send conversation events to your help desk, CRM or team chat. Each event is POSTed to
            your endpoints, signed (Standard Webhooks), and retried for about a day until it is
            accepted.
          </>
        }
        actions={addButton}
      />

      <ListCard
        id="hooks-title"
        title="Webhook endpoints"
        list={list}
        loading={{ label: 'Loading endpoints…' }}
        empty={hooks.length === 0}
        emptyState={
          <EmptyState icon="external" title="No endpoints yet" action={addButton}>
            Add one to open a ticket on every hand-off, or to post new conversations to a team chat.
          </EmptyState>
        }
      >
        <ul class="hook-list">
          {hooks.map((h) => (
            <li
              key={h.id}
              class={cx('hook', h.id === selected?.id && 'hook-selected')}
              data-webhook-id={h.id}
            >
              <button
                type="button"
                class="hook-main"
                aria-pressed={h.id === selected?.id}
                aria-label={`Show deliveries to ${h.url}`}
                onClick={() => setSelectedId(h.id)}
              >
                <span class="hook-url mono">{h.url}</span>
                {h.description && <span class="hook-desc">{h.description}</span>}
                <span class="chips">
                  {h.enabled ? (
                    <Badge tone="green">On</Badge>
                  ) : (
                    <Badge tone={h.disabled_reason ? 'red' : 'neutral'}>
                      {h.disabled_reason ? DISABLED_TEXT[h.disabled_reason] : 'Off'}
                    </Badge>
                  )}
                  {h.format === 'slack' && <Badge tone="violet">Team chat</Badge>}
                  <span class="chip">
                    {h.events.length} event{h.events.length === 1 ? '' : 's'}
                  </span>
                </span>
              </button>
              <div class="hook-actions">
                <RowButton label={`Edit ${h.url}`} onClick={() => setDialog({ editing: h })}>
                  <Icon name="edit" size={16} />
                  Edit
                </RowButton>
                <RowButton
                  label={`${h.enabled ? 'Switch off' : 'Switch on'} ${h.url}`}
                  onClick={() => void setEnabled(h, !h.enabled)}
                >
                  {h.enabled ? 'Switch off' : 'Switch on'}
                </RowButton>
                <RowButton label={`Rotate the secret of ${h.url}`} onClick={() => setRotating(h)}>
                  <Icon name="refresh" size={16} />
                  Secret
                </RowButton>
                <RowButton danger label={`Delete ${h.url}`} onClick={() => setDeleting(h)}>
                  <Icon name="trash" size={16} />
                </RowButton>
              </div>
            </li>
          ))}
        </ul>
      </ListCard>

      {selected && <DeliveryLog key={selected.id} endpoint={selected} />}

      <EndpointDialog
        open={dialog !== undefined}
        editing={dialog?.editing}
        onClose={() => setDialog(undefined)}
        onCreated={({ secret: s, ...e }) => {
          setDialog(undefined)
          list.setData((prev) => ({ webhooks: [e, ...(prev?.webhooks ?? [])] }))
          setSelectedId(e.id)
          setSecret({ url: e.url, secret: s, rotated: false })
        }}
        onSaved={(e) => {
          setDialog(undefined)
          replace(e)
          toast.success('Endpoint saved')
        }}
      />

      <SecretOnceModal
        secret={secret?.secret}
        title={secret?.rotated ? 'Copy the new signing secret' : 'Copy the signing secret'}
        warning="This is the only time the secret is shown. Your receiver verifies each event's signature with it."
        owner={secret?.url}
        ownerClass="mono"
        what="Signing secret"
        copyLabel="Copy secret"
        testId="webhook-secret"
        onClose={() => setSecret(undefined)}
      />

      <ConfirmAction
        target={rotating}
        title="Rotate the signing secret?"
        confirmLabel="Rotate secret"
        description={
          <p>
            Events to <code class="mono">{rotating?.url}</code> are signed with a new secret from
            now on; signatures made with the old one stop verifying.
          </p>
        }
        onClose={() => setRotating(undefined)}
        failure="Not rotated"
        action={async (h) => {
          const r = await api.send<WebhookEndpointWithSecret>(endpoints.rotateWebhookSecret(h.id))
          // Closed before the secret's dialog opens, so the focus moves into that one.
          setRotating(undefined)
          setSecret({ url: r.url, secret: r.secret, rotated: true })
        }}
      />

      <ConfirmAction
        target={deleting}
        danger
        title="Delete this endpoint?"
        confirmLabel="Delete endpoint"
        description={
          <p>
            No more events go to <code class="mono">{deleting?.url}</code>, and its delivery log is
            deleted with it. This cannot be undone.
          </p>
        }
        onClose={() => setDeleting(undefined)}
        failure="Not deleted"
        action={async (h) => {
          await api.send(endpoints.deleteWebhook(h.id))
          dropItem(list, 'webhooks', h.id)
          toast.success('Endpoint deleted')
        }}
      />
    </div>
  )
}
