import {
  WEBHOOK_EVENT_CATALOGUE,
  WEBHOOK_EVENT_TYPES,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
  type WebhookFormat,
} from '@aurion/contract'
import { useEffect, useState } from 'preact/hooks'
import { ApiRequestError } from '../../api/client.ts'
import { endpoints } from '../../api/endpoints.ts'
import { Segmented, TextField } from '../../components/Field.tsx'
import { Icon } from '../../components/Icon.tsx'
import { DialogButtons, Modal } from '../../components/Modal.tsx'
import { useApp } from '../../lib/app-context.ts'
import { toast } from '../../lib/toast.ts'
import { errorMessage } from '../../lib/use-async.ts'

const FORMATS = [
  { value: 'standard', label: 'Signed JSON' },
  { value: 'slack', label: 'Team chat (Slack)' },
] as const satisfies readonly { value: WebhookFormat; label: string }[]

interface Errors {
  url?: string
  events?: string
  description?: string
}

/**
 * Adds an endpoint (`editing` undefined) or changes one: URL, what it is for, the body format
 * and the events it gets. Creating answers with the signing secret, which the page shows once.
 */
export function EndpointDialog({
  open,
  editing,
  onClose,
  onCreated,
  onSaved,
}: {
  open: boolean
  editing: WebhookEndpoint | undefined
  onClose: () => void
  onCreated: (e: WebhookEndpointWithSecret) => void
  onSaved: (e: WebhookEndpoint) => void
}) {
  const { api } = useApp()
  const [url, setUrl] = useState('')
  const [description, setDescription] = useState('')
  const [format, setFormat] = useState<WebhookFormat>('standard')
  const [events, setEvents] = useState<string[]>([])
  const [errors, setErrors] = useState<Errors>({})
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (!open) return
    setUrl(editing?.url ?? '')
    setDescription(editing?.description ?? '')
    setFormat(editing?.format ?? 'standard')
    setEvents(editing?.events ?? ['conversation.created', 'conversation.handoff_requested'])
    setErrors({})
  }, [open, editing])

  const submit = async (e: Event) => {
    e.preventDefault()
    const errs: Errors = {}
    const u = url.trim()
    if (!u) errs.url = 'Enter the URL that receives the events'
    else if (!/^https?:\/\/\S+$/i.test(u))
      errs.url = 'A full URL, e.g. https://hooks.example.com/aurion'
    if (events.length === 0) errs.events = 'Choose at least one event'
    setErrors(errs)
    if (errs.url || errs.events) return
    const body = { url: u, events, description: description.trim(), format }
    setBusy(true)
    try {
      if (editing) {
        onSaved(await api.send<WebhookEndpoint>(endpoints.updateWebhook(editing.id, body)))
      } else {
        onCreated(await api.send<WebhookEndpointWithSecret>(endpoints.createWebhook(body)))
      }
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 422) {
        const byField: Errors = {}
        for (const i of err.issues) {
          const f = i.loc[1]
          if (f === 'url' || f === 'events' || f === 'description') byField[f] = i.msg
        }
        setErrors(byField)
      }
      toast.error(`${editing ? 'Not saved' : 'Endpoint not added'}: ${errorMessage(err)}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal open={open} title={editing ? 'Edit endpoint' : 'Add an endpoint'} onClose={onClose}>
      <form onSubmit={submit} class="stack" noValidate>
        <TextField
          label="Endpoint URL"
          value={url}
          type="url"
          error={errors.url}
          placeholder="https://hooks.example.com/aurion"
          hint="Aurion POSTs each event here. It must be a public https address."
          onInput={setUrl}
        />
        <TextField
          label="Description"
          value={description}
          max={500}
          optional
          error={errors.description}
          placeholder="Tickets in our help desk, #support channel…"
          onInput={setDescription}
        />
        <Segmented
          label="Format"
          value={format}
          options={FORMATS}
          onChange={setFormat}
          hint={
            format === 'slack'
              ? 'For a team chat’s incoming-webhook URL: a short text message per event.'
              : 'The event as JSON, signed per Standard Webhooks (see the docs).'
          }
        />
        <fieldset class="field">
          <legend class="field-label">Events</legend>
          <div class="scope-list">
            {WEBHOOK_EVENT_TYPES.map((t) => (
              <label key={t} class="scope-option">
                <input
                  type="checkbox"
                  checked={events.includes(t)}
                  onChange={(e) =>
                    setEvents(
                      e.currentTarget.checked ? [...events, t] : events.filter((x) => x !== t),
                    )
                  }
                />
                <span>
                  <span class="scope-title">
                    <code class="mono event-name">{t}</code>
                  </span>
                  <span class="scope-text">{WEBHOOK_EVENT_CATALOGUE[t].description}</span>
                </span>
              </label>
            ))}
          </div>
          {errors.events && (
            <p class="field-error">
              <Icon name="alert" size={14} />
              <span>{errors.events}</span>
            </p>
          )}
        </fieldset>
        <DialogButtons
          busy={busy}
          label={editing ? 'Save endpoint' : 'Add endpoint'}
          onCancel={onClose}
        />
      </form>
    </Modal>
  )
}
