import {
  isE164,
  MAX_PHONE_GREETING,
  MAX_PHONE_NUMBERS,
  type PhoneConfigResponse,
} from '@aurion/contract'
import { useEffect, useState } from 'preact/hooks'
import { ApiRequestError } from '../api/client.ts'
import { endpoints } from '../api/endpoints.ts'
import { Card } from '../components/Card.tsx'
import { TextField, Toggle } from '../components/Field.tsx'
import { Icon } from '../components/Icon.tsx'
import { useApp } from '../lib/app-context.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage, useAsync } from '../lib/use-async.ts'

interface PhoneDraft {
  enabled: boolean
  numbers: string
  greeting: string
  transferTo: string
}

const toDraft = (p: PhoneConfigResponse): PhoneDraft => ({
  enabled: p.enabled,
  numbers: p.phone_numbers.join('\n'),
  greeting: p.greeting ?? '',
  transferTo: p.transfer_to ?? '',
})

const numbersOf = (text: string) =>
  text
    .split(/[\n,]/)
    .map((n) => n.trim())
    .filter(Boolean)

/** What the browser can tell before the server does; keyed like the server's `loc`. */
function check(d: PhoneDraft): Record<string, string> {
  const out: Record<string, string> = {}
  const numbers = numbersOf(d.numbers)
  const bad = numbers.find((n) => !isE164(n))
  if (bad !== undefined)
    out.phone_numbers = `${bad} is not in E.164 form: a plus, the country code and the number, digits only (+15550100)`
  else if (new Set(numbers).size !== numbers.length) out.phone_numbers = 'A number is listed twice'
  else if (numbers.length > MAX_PHONE_NUMBERS)
    out.phone_numbers = `At most ${MAX_PHONE_NUMBERS} numbers`
  else if (d.enabled && numbers.length === 0)
    out.phone_numbers = 'Add a phone number to turn the line on'
  const transfer = d.transferTo.trim()
  if (transfer && !isE164(transfer)) out.transfer_to = 'Use E.164 form, like +15550199'
  else if (transfer && numbers.includes(transfer))
    out.transfer_to = 'Transfer to a number other than the line’s own'
  if (d.greeting.length > MAX_PHONE_GREETING)
    out.greeting = `At most ${MAX_PHONE_GREETING} characters`
  return out
}

/**
 * Phone: the numbers the assistant answers, its greeting and where callers who ask for a person
 * go. Saved on its own (the server sets up LiveKit's SIP trunk and dispatch rule as it saves).
 */
export function PhoneTab() {
  const { api } = useApp()
  const line = useAsync(() => api.send<PhoneConfigResponse>(endpoints.getPhone()), [api])
  const [draft, setDraft] = useState<PhoneDraft | undefined>(undefined)
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({})
  const [saving, setSaving] = useState(false)
  const [tried, setTried] = useState(false)

  useEffect(() => {
    if (line.data) setDraft(toDraft(line.data))
  }, [line.data])

  if (line.error && !line.data)
    return (
      <div class="card" role="alert">
        <p>
          <Icon name="alert" size={16} /> The phone line could not be loaded: {line.error}
        </p>
        <button type="button" class="btn btn-secondary" onClick={() => void line.reload()}>
          Try again
        </button>
      </div>
    )
  if (!draft || !line.data)
    return (
      <div class="card" role="status">
        <span class="spinner spinner-dark" aria-hidden="true" /> Loading the phone line…
      </div>
    )

  const update = (patch: Partial<PhoneDraft>) => {
    setDraft({ ...draft, ...patch })
    setServerErrors({})
  }
  const issues = check(draft)
  const shown = { ...(tried ? issues : {}), ...serverErrors }
  const dirty = JSON.stringify(draft) !== JSON.stringify(toDraft(line.data))

  const save = async () => {
    setTried(true)
    if (Object.keys(issues).length > 0) return
    setSaving(true)
    try {
      const saved = await api.send<PhoneConfigResponse>(
        endpoints.putPhone({
          enabled: draft.enabled,
          phone_numbers: numbersOf(draft.numbers),
          greeting: draft.greeting.trim() || null,
          transfer_to: draft.transferTo.trim() || null,
        }),
      )
      line.setData(saved)
      setTried(false)
      toast.success(
        saved.enabled ? 'Phone line saved. Calls now reach the assistant.' : 'Phone line saved.',
      )
    } catch (err) {
      if (err instanceof ApiRequestError && err.issues.length > 0) {
        const byField: Record<string, string> = {}
        for (const i of err.issues) byField[String(i.loc[1] ?? '')] ??= i.msg
        setServerErrors(byField)
      } else if (err instanceof ApiRequestError && err.status === 409) {
        setServerErrors({ phone_numbers: err.detail })
      } else toast.error(`Phone line not saved: ${errorMessage(err)}`)
    } finally {
      setSaving(false)
    }
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      <Card
        id="phone-title"
        title="Phone line"
        description="The assistant answers your phone numbers, in the same conversations as the widget."
      >
        <Toggle
          label="Answer calls"
          description="Calls to these numbers reach the assistant through LiveKit’s SIP service."
          checked={draft.enabled}
          onChange={(v) => update({ enabled: v })}
        />
        <TextField
          label="Phone numbers"
          value={draft.numbers}
          multiline
          placeholder={'+15550100\n+442071838750'}
          hint="One per line, in E.164 form. Your SIP provider sends calls for them to LiveKit."
          error={shown.phone_numbers}
          onInput={(v) => update({ numbers: v })}
        />
        <TextField
          label="Greeting"
          optional
          value={draft.greeting}
          multiline
          max={MAX_PHONE_GREETING}
          placeholder="Hello, you reached Acme support. How can I help?"
          hint="What the assistant says when it picks up. Empty for the default."
          error={shown.greeting}
          onInput={(v) => update({ greeting: v })}
        />
        <TextField
          label="Transfer to"
          optional
          value={draft.transferTo}
          placeholder="+15550199"
          hint="Where a caller who asks for a person is transferred."
          error={shown.transfer_to}
          onInput={(v) => update({ transferTo: v })}
        />
        <p class="field-hint" data-testid="phone-sip">
          {line.data.sip ? (
            <>
              LiveKit trunk <code>{line.data.sip.trunk_id}</code>, dispatch rule{' '}
              <code>{line.data.sip.dispatch_rule_id}</code>.
            </>
          ) : (
            'Not set up in LiveKit while the line is off.'
          )}{' '}
          <a href="/docs/phone" target="_blank" rel="noopener noreferrer">
            How phone calls work
          </a>
        </p>
        <div class="card-actions">
          <button type="submit" class="btn btn-primary" disabled={saving || !dirty}>
            {saving ? 'Saving…' : 'Save phone line'}
          </button>
          {dirty && (
            <button
              type="button"
              class="btn btn-secondary"
              disabled={saving}
              onClick={() => {
                setDraft(toDraft(line.data!))
                setServerErrors({})
                setTried(false)
              }}
            >
              Discard
            </button>
          )}
        </div>
      </Card>
    </form>
  )
}
