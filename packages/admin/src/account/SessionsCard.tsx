import type { ConsoleSession, ConsoleSessionList, SessionsRevokedResponse } from '@aurion/contract'
import { useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { Badge, LoadError, Loading } from '../components/Bits.tsx'
import { ConfirmDialog } from '../components/Modal.tsx'
import { useApp } from '../lib/app-context.ts'
import { absoluteTime, relativeTime } from '../lib/format.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage, useAsync } from '../lib/use-async.ts'
import { describeUserAgent } from './user-agent.ts'

/**
 * Where the signed-in user is signed in: each session's browser, address and last use; sign one
 * out (its next request gets 401, on every server) or every other one.
 */
export function SessionsCard() {
  const { api } = useApp()
  const sessions = useAsync(() => api.send<ConsoleSessionList>(endpoints.listSessions()), [api])
  const [revoking, setRevoking] = useState<ConsoleSession | undefined>(undefined)
  const [revokingOthers, setRevokingOthers] = useState(false)
  const [busy, setBusy] = useState(false)
  const all = sessions.data?.sessions ?? []
  const others = all.filter((s) => !s.current)

  const act = async (fn: () => Promise<void>) => {
    setBusy(true)
    try {
      await fn()
    } catch (err) {
      toast.error(`Not signed out: ${errorMessage(err)}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class="card card-flush" aria-labelledby="sessions-title" aria-busy={sessions.loading}>
      <header class="card-head card-head-pad">
        <div>
          <h2 id="sessions-title">Where you are signed in</h2>
          <p>Sign out a browser you no longer use or do not recognise: it is refused at once.</p>
        </div>
        {others.length > 0 && (
          <button
            type="button"
            class="btn btn-secondary btn-sm"
            onClick={() => setRevokingOthers(true)}
          >
            Sign out all others
          </button>
        )}
      </header>
      {sessions.error && !sessions.data && (
        <LoadError message={sessions.error} onRetry={() => void sessions.reload()} />
      )}
      {!sessions.data && !sessions.error && <Loading label="Loading your sessions…" lines={2} />}
      {sessions.data && (
        <ul class="session-list">
          {all.map((s) => (
            <li key={s.id} class="session-row" data-session-id={s.id}>
              <div class="session-text">
                <span class="strong">
                  {describeUserAgent(s.user_agent)}{' '}
                  {s.current && <Badge tone="green">This browser</Badge>}
                </span>
                <span class="muted" title={s.user_agent ?? undefined}>
                  {s.ip ?? 'unknown address'} · signed in{' '}
                  <time dateTime={s.created_at} title={absoluteTime(s.created_at)}>
                    {relativeTime(s.created_at)}
                  </time>
                  {s.last_seen_at && !s.current && (
                    <>
                      {' '}
                      · last active{' '}
                      <time dateTime={s.last_seen_at} title={absoluteTime(s.last_seen_at)}>
                        {relativeTime(s.last_seen_at)}
                      </time>
                    </>
                  )}
                </span>
              </div>
              {!s.current && (
                <button
                  type="button"
                  class="btn btn-ghost btn-sm danger-text"
                  aria-label={`Sign out ${describeUserAgent(s.user_agent)} (${s.ip ?? 'unknown address'})`}
                  onClick={() => setRevoking(s)}
                >
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={revoking !== undefined}
        danger
        busy={busy}
        title="Sign out this session?"
        confirmLabel="Sign out"
        description={
          <p>
            {describeUserAgent(revoking?.user_agent ?? null)} at{' '}
            {revoking?.ip ?? 'an unknown address'} is signed out at once and has to sign in again.
          </p>
        }
        onClose={() => setRevoking(undefined)}
        onConfirm={() =>
          act(async () => {
            if (!revoking) return
            await api.send(endpoints.revokeSession(revoking.id))
            sessions.setData((prev) => ({
              sessions: (prev?.sessions ?? []).filter((x) => x.id !== revoking.id),
            }))
            toast.success('Signed out')
            setRevoking(undefined)
          })
        }
      />
      <ConfirmDialog
        open={revokingOthers}
        danger
        busy={busy}
        title="Sign out everywhere else?"
        confirmLabel="Sign out all others"
        description={
          <p>Every other browser signed in as you is signed out at once. This one stays.</p>
        }
        onClose={() => setRevokingOthers(false)}
        onConfirm={() =>
          act(async () => {
            const res = await api.send<SessionsRevokedResponse>(endpoints.revokeOtherSessions())
            sessions.setData((prev) => ({
              sessions: (prev?.sessions ?? []).filter((x) => x.current),
            }))
            toast.success(`${res.revoked} ${res.revoked === 1 ? 'session' : 'sessions'} signed out`)
            setRevokingOthers(false)
          })
        }
      />
    </section>
  )
}
