import type { TeamMemberList } from '@aurion/contract'
import { useEffect, useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { Icon } from '../components/Icon.tsx'
import { Modal } from '../components/Modal.tsx'
import { useApp } from '../lib/app-context.ts'
import type { HandoffState } from './model.ts'

export interface ActionHandlers {
  claim: () => void
  assign: (email: string | null) => void
  returnToAi: () => void
  takeOver: () => void
  resolve: () => void
  reopen: () => void
}

/** Claim / assign, hand back to the assistant or take over, resolve or reopen. */
export function ConversationActions({
  h,
  myEmail,
  busy,
  on,
}: {
  h: HandoffState
  myEmail: string
  busy: boolean
  on: ActionHandlers
}) {
  const { api } = useApp()
  const [assigning, setAssigning] = useState(false)
  const [email, setEmail] = useState('')
  const [team, setTeam] = useState<TeamMemberList['members'] | undefined>(undefined)
  useEffect(() => {
    if (!assigning) return
    api.send<TeamMemberList>(endpoints.teamMembers()).then(
      (r) => setTeam(r.members),
      () => setTeam(undefined),
    )
  }, [assigning])
  const mine = h.assignee?.email?.toLowerCase() === myEmail.toLowerCase()
  const resolved = h.status === 'resolved'
  return (
    <div class="conv-actions">
      {!resolved && !mine && (
        <button
          type="button"
          class="btn btn-primary btn-sm"
          disabled={busy}
          onClick={on.claim}
          aria-keyshortcuts="a"
        >
          <Icon name="user" size={14} />
          Claim
        </button>
      )}
      {!resolved && (
        <button
          type="button"
          class="btn btn-secondary btn-sm"
          disabled={busy}
          onClick={() => setAssigning(true)}
        >
          Assign…
        </button>
      )}
      {!resolved &&
        (h.handledBy === 'human' ? (
          <button
            type="button"
            class="btn btn-secondary btn-sm"
            disabled={busy}
            onClick={on.returnToAi}
            aria-keyshortcuts="h"
          >
            <Icon name="sparkles" size={14} />
            Return to AI
          </button>
        ) : (
          <button
            type="button"
            class="btn btn-secondary btn-sm"
            disabled={busy}
            onClick={on.takeOver}
          >
            Take over
          </button>
        ))}
      <button
        type="button"
        class={resolved ? 'btn btn-secondary btn-sm' : 'btn btn-success btn-sm'}
        disabled={busy}
        onClick={resolved ? on.reopen : on.resolve}
        aria-keyshortcuts="e"
      >
        <Icon name={resolved ? 'refresh' : 'check'} size={14} />
        {resolved ? 'Reopen' : 'Resolve'}
      </button>
      <Modal
        open={assigning}
        title="Assign the conversation"
        description="To a teammate by their console email, or back to the team's queue."
        size="sm"
        onClose={() => setAssigning(false)}
        footer={
          <>
            <button
              type="button"
              class="btn btn-ghost"
              onClick={() => {
                on.assign(null)
                setAssigning(false)
              }}
            >
              Unassign
            </button>
            <button
              type="submit"
              form="assign-form"
              class="btn btn-primary"
              disabled={!email.trim()}
            >
              Assign
            </button>
          </>
        }
      >
        <form
          id="assign-form"
          onSubmit={(e) => {
            e.preventDefault()
            on.assign(email.trim())
            setAssigning(false)
            setEmail('')
          }}
        >
          {team ? (
            <>
              <label class="field-label" for="assign-email">
                Teammate
              </label>
              <select
                id="assign-email"
                class="input"
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
              >
                <option value="">Choose a teammate…</option>
                {team.map((m) => (
                  <option key={m.id} value={m.email}>
                    {m.name ? `${m.name} (${m.email})` : m.email} · {m.availability}
                  </option>
                ))}
              </select>
            </>
          ) : (
            <>
              <label class="field-label" for="assign-email">
                Teammate’s email
              </label>
              <input
                id="assign-email"
                class="input"
                type="email"
                autoComplete="off"
                value={email}
                placeholder={myEmail}
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
            </>
          )}
        </form>
      </Modal>
    </div>
  )
}
