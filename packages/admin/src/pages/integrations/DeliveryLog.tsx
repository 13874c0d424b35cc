import type { WebhookDelivery, WebhookDeliveryList, WebhookEndpoint } from '@aurion/contract'
import { useState } from 'preact/hooks'
import { endpoints } from '../../api/endpoints.ts'
import { Badge, EmptyState } from '../../components/Bits.tsx'
import { Icon } from '../../components/Icon.tsx'
import { DataTable, ListCard } from '../../components/ListCard.tsx'
import { useApp } from '../../lib/app-context.ts'
import { absoluteTime, relativeTime } from '../../lib/format.ts'
import { toast } from '../../lib/toast.ts'
import { errorMessage, useAsync } from '../../lib/use-async.ts'

const STATUS: Record<
  WebhookDelivery['status'],
  { tone: 'green' | 'amber' | 'red'; label: string }
> = {
  succeeded: { tone: 'green', label: 'Delivered' },
  pending: { tone: 'amber', label: 'Retrying' },
  failed: { tone: 'red', label: 'Failed' },
}

/**
 * One endpoint's recent deliveries (newest first): event, outcome, attempts, the last answer
 * and the next retry; a test event and redelivery of any delivery.
 */
export function DeliveryLog({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { api } = useApp()
  const log = useAsync(
    () => api.send<WebhookDeliveryList>(endpoints.webhookDeliveries(endpoint.id)),
    [api, endpoint.id],
  )
  const [busy, setBusy] = useState<string | undefined>(undefined)

  /** Puts a delivery the server just answered with at its place (or on top). */
  const upsert = (d: WebhookDelivery) =>
    log.setData((prev) => {
      const all = prev?.deliveries ?? []
      return {
        deliveries: all.some((x) => x.id === d.id)
          ? all.map((x) => (x.id === d.id ? d : x))
          : [d, ...all],
      }
    })

  const run = async (key: string, req: () => Promise<WebhookDelivery>, done: string) => {
    setBusy(key)
    try {
      const d = await req()
      upsert(d)
      if (d.status === 'succeeded') toast.success(`${done}: answered ${d.status_code}`)
      else toast.error(`${done}, but it failed: ${d.error ?? 'no answer'}`)
    } catch (err) {
      toast.error(`Not sent: ${errorMessage(err)}`)
    } finally {
      setBusy(undefined)
    }
  }

  const deliveries = log.data?.deliveries ?? []
  return (
    <ListCard
      id="deliveries-title"
      title="Recent deliveries"
      description={
        <>
          To <code class="mono">{endpoint.url}</code>
        </>
      }
      actions={
        <div class="head-actions">
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            onClick={() => void log.reload()}
            aria-label="Refresh deliveries"
          >
            <Icon name="refresh" size={16} />
          </button>
          <button
            type="button"
            class="btn btn-secondary btn-sm"
            disabled={busy !== undefined}
            aria-busy={busy === 'test'}
            onClick={() =>
              void run(
                'test',
                () => api.send<WebhookDelivery>(endpoints.testWebhook(endpoint.id)),
                'Test event sent',
              )
            }
          >
            {busy === 'test' ? (
              <span class="spinner spinner-dark" aria-hidden="true" />
            ) : (
              <Icon name="sparkles" size={16} />
            )}
            Send test event
          </button>
        </div>
      }
      class="deliveries-card"
      list={log}
      loading={{ label: 'Loading deliveries…' }}
      empty={deliveries.length === 0}
      emptyState={
        <EmptyState icon="inbox" title="Nothing delivered yet">
          Events appear here as they are sent. Send a test event to try the endpoint.
        </EmptyState>
      }
    >
      <DataTable
        class="deliveries"
        columns={['Event', 'Status', 'Response', 'Attempts', { label: 'Sent', class: 'col-wide' }]}
      >
        {deliveries.map((d) => (
          <tr key={d.id} data-delivery-id={d.id}>
            <td>
              <code class="mono">{d.event}</code>
            </td>
            <td>
              <Badge tone={STATUS[d.status].tone}>{STATUS[d.status].label}</Badge>
              {d.status === 'pending' && d.next_retry_at && (
                <span class="delivery-note" title={absoluteTime(d.next_retry_at)}>
                  next {relativeTime(d.next_retry_at)}
                </span>
              )}
            </td>
            <td class="delivery-response">
              {d.status_code !== null && <span class="mono">{d.status_code}</span>}
              {d.duration_ms !== null && <span class="muted"> · {d.duration_ms} ms</span>}
              {d.error && (
                <span class="delivery-error" title={d.error}>
                  {d.error}
                </span>
              )}
            </td>
            <td class="nowrap">{d.attempt_count}</td>
            <td class="nowrap col-wide" title={absoluteTime(d.created_at)}>
              {relativeTime(d.created_at)}
            </td>
            <td class="cell-actions">
              <button
                type="button"
                class="btn btn-ghost btn-sm"
                disabled={busy !== undefined}
                aria-busy={busy === d.id}
                aria-label={`Redeliver ${d.event} (${d.id})`}
                onClick={() =>
                  void run(
                    d.id,
                    () => api.send<WebhookDelivery>(endpoints.redeliverWebhook(endpoint.id, d.id)),
                    'Redelivered',
                  )
                }
              >
                Redeliver
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
    </ListCard>
  )
}
