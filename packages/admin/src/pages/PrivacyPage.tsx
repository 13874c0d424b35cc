import {
  AUDIT_ACTIONS,
  type AuditLogEntry,
  type AuditLogResponse,
  type PrivacyEraseResponse,
  type PrivacyExportResponse,
  type RetentionStatusResponse,
} from '@aurion/contract'
import { useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { LoadError, Loading, PageHeader } from '../components/Bits.tsx'
import { TextField } from '../components/Field.tsx'
import { ConfirmDialog } from '../components/Modal.tsx'
import { useApp } from '../lib/app-context.ts'
import { absoluteTime } from '../lib/format.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage, useAsync } from '../lib/use-async.ts'

/** Privacy: the retention policy and its last run, erase/export a visitor by email, the audit log. */
export function PrivacyPage() {
  return (
    <div class="page">
      <PageHeader
        breadcrumb="Configuration"
        title="Privacy"
        description="What Aurion keeps about visitors, and who changed what."
      />
      <RetentionCard />
      <VisitorDataCard />
      <AuditLogCard />
    </div>
  )
}

function RetentionCard() {
  const { api } = useApp()
  const status = useAsync(
    () => api.send<RetentionStatusResponse>(endpoints.retentionStatus()),
    [api],
  )
  const s = status.data
  const run = s?.last_run
  return (
    <section class="card" aria-labelledby="retention-title">
      <h2 id="retention-title">Retention</h2>
      {status.error && <LoadError message={status.error} onRetry={() => void status.reload()} />}
      {!s && !status.error && <Loading label="Loading the retention policy…" lines={2} />}
      {s && (
        <p data-testid="retention-policy">
          {s.retention_days === null
            ? 'Conversations are kept until you delete them. Set “retention_days” in the widget configuration to delete them automatically.'
            : `Conversations are deleted ${s.retention_days} days after their last activity.`}
        </p>
      )}
      {run && (
        <p data-testid="retention-last-run">
          Last run {absoluteTime(run.ran_at)}: removed {run.conversations} conversations,{' '}
          {run.messages} messages, {run.uploads} attachments.
        </p>
      )}
      {s && !run && s.retention_days !== null && <p>The job has not run yet.</p>}
    </section>
  )
}

function VisitorDataCard() {
  const { api } = useApp()
  const [email, setEmail] = useState('')
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<string | undefined>(undefined)
  const trimmed = email.trim()

  async function exportData() {
    setBusy(true)
    try {
      const data = await api.send<PrivacyExportResponse>(endpoints.exportVisitor(trimmed))
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' })
      const a = document.createElement('a')
      a.href = URL.createObjectURL(blob)
      a.download = `aurion-export-${data.email}.json`
      a.click()
      URL.revokeObjectURL(a.href)
      setResult(
        `Exported ${data.contacts.length} contacts and ${data.conversations.length} conversations.`,
      )
    } catch (err) {
      toast.error(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  async function erase() {
    setBusy(true)
    try {
      const r = await api.send<PrivacyEraseResponse>(endpoints.eraseVisitor(trimmed))
      setConfirming(false)
      setResult(
        `Erased ${r.email}: ${r.contacts} contacts, ${r.conversations} conversations, ${r.messages} messages, ${r.uploads} attachments.`,
      )
      toast.success('Visitor data erased')
    } catch (err) {
      toast.error(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class="card" aria-labelledby="visitor-data-title">
      <h2 id="visitor-data-title">Visitor data</h2>
      <p>Export everything stored about a visitor, or erase it for good.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void exportData()
        }}
      >
        <TextField
          label="Visitor email"
          type="email"
          name="privacy-email"
          value={email}
          onInput={setEmail}
          placeholder="visitor@example.com"
        />
        <div class="actions-row">
          <button type="submit" class="btn btn-secondary" disabled={busy || trimmed === ''}>
            Export JSON
          </button>
          <button
            type="button"
            class="btn btn-danger"
            disabled={busy || trimmed === ''}
            onClick={() => setConfirming(true)}
          >
            Erase…
          </button>
        </div>
      </form>
      {result && (
        <p role="status" data-testid="privacy-result">
          {result}
        </p>
      )}
      <ConfirmDialog
        open={confirming}
        danger
        busy={busy}
        title="Erase this visitor's data?"
        description={
          <>
            Every conversation, message and attachment of <strong>{trimmed}</strong> is deleted and
            their sign-in links stop working. This cannot be undone.
          </>
        }
        confirmLabel="Erase"
        onConfirm={() => void erase()}
        onClose={() => setConfirming(false)}
      />
    </section>
  )
}

function AuditLogCard() {
  const { api } = useApp()
  const [action, setAction] = useState('')
  const [more, setMore] = useState<AuditLogEntry[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const first = useAsync(async () => {
    const r = await api.send<AuditLogResponse>(
      endpoints.auditLog({ action: action.trim() || undefined, limit: 50 }),
    )
    setMore([])
    setCursor(r.next_cursor)
    return r
  }, [api, action])
  const entries = [...(first.data?.entries ?? []), ...more]

  async function loadMore() {
    if (cursor === null) return
    try {
      const r = await api.send<AuditLogResponse>(
        endpoints.auditLog({ action: action.trim() || undefined, cursor, limit: 50 }),
      )
      setMore((m) => [...m, ...r.entries])
      setCursor(r.next_cursor)
    } catch (err) {
      toast.error(errorMessage(err))
    }
  }

  return (
    <section class="card card-flush" aria-labelledby="audit-title" aria-busy={first.loading}>
      <header class="card-head card-head-pad">
        <h2 id="audit-title">Audit log</h2>
        <label class="check-inline">
          Action{' '}
          <select value={action} onChange={(e) => setAction(e.currentTarget.value)}>
            <option value="">All</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
      </header>
      {first.error && <LoadError message={first.error} onRetry={() => void first.reload()} />}
      {!first.data && !first.error && <Loading label="Loading the audit log…" />}
      {first.data && entries.length === 0 && <p class="card-head-pad">Nothing recorded yet.</p>}
      {entries.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Details</th>
                <th scope="col">IP</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{absoluteTime(e.created_at)}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.actor.type}
                    {e.actor.id ? ` ${e.actor.id}` : ''}
                  </td>
                  <td>{describe(e)}</td>
                  <td>{e.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor !== null && (
        <div class="card-head-pad">
          <button type="button" class="btn btn-secondary" onClick={() => void loadMore()}>
            Load older entries
          </button>
        </div>
      )}
    </section>
  )
}

function describe(e: AuditLogEntry): string {
  const d = e.details
  if (Array.isArray(d.fields)) return `fields: ${(d.fields as string[]).join(', ')}`
  const parts = Object.entries(d)
    .filter(([k]) => k !== 'email_hash')
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
  if (e.target) parts.unshift(`target ${e.target}`)
  return parts.join(' · ')
}
