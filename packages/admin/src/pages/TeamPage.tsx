import {
  PRESENCE,
  type TeamInvite,
  type TeamInviteList,
  type TeamMember,
  type TeamMemberList,
  type TeamRole,
} from '@aurion/contract'
import { useEffect, useState } from 'preact/hooks'
import { endpoints } from '../api/endpoints.ts'
import { Badge, EmptyState, PageHeader } from '../components/Bits.tsx'
import { Icon } from '../components/Icon.tsx'
import { DataTable, ListCard, RowButton } from '../components/ListCard.tsx'
import { ConfirmAction } from '../components/Modal.tsx'
import { useApp } from '../lib/app-context.ts'
import { absoluteTime, relativeTime } from '../lib/format.ts'
import { ROLE_LABEL } from '../lib/roles.ts'
import { toast } from '../lib/toast.ts'
import { dropItem, errorMessage, useAsync } from '../lib/use-async.ts'
import { InviteDialog } from './InviteDialog.tsx'

/** Roles the signed-in user may give: only owners make owners. */
function grantable(myRole: TeamRole | undefined): TeamRole[] {
  return myRole === 'owner' ? ['owner', 'admin', 'agent'] : ['admin', 'agent']
}

/**
 * The team (owners and admins): members with role and availability, role changes, removal,
 * pending invitations and the invite form.
 */
export function TeamPage() {
  const { api, me } = useApp()
  const myRole = me?.user.role
  const myId = me?.user.id
  const members = useAsync(() => api.send<TeamMemberList>(endpoints.listMembers()), [api])
  const invites = useAsync(() => api.send<TeamInviteList>(endpoints.listInvites()), [api])
  const [inviting, setInviting] = useState(false)
  const [removing, setRemoving] = useState<TeamMember | undefined>(undefined)
  const [withdrawing, setWithdrawing] = useState<TeamInvite | undefined>(undefined)

  const changeRole = async (m: TeamMember, role: TeamRole) => {
    try {
      const updated = await api.send<TeamMember>(endpoints.changeRole(m.id, role))
      members.setData((prev) => ({
        members: (prev?.members ?? []).map((x) => (x.id === m.id ? updated : x)),
      }))
      toast.success(`${m.name ?? m.email} is now ${ROLE_LABEL[role].toLowerCase()}`)
    } catch (err) {
      toast.error(`Role not changed: ${errorMessage(err)}`)
      void members.reload()
    }
  }
  const mayChange = (m: TeamMember) => myRole === 'owner' || m.role !== 'owner'
  // This tab is open and beating: the signed-in member is online when they chose it, even if
  // the list was read a moment before this tab's first heartbeat arrived.
  const shown = (members.data?.members ?? []).map((m) =>
    m.id === myId && m.chosen_availability === 'online'
      ? { ...m, availability: 'online' as const }
      : m,
  )
  const online = shown.filter((m) => m.availability === 'online').length

  // Availability changes as people open and close the console: read the team again now and then.
  useEffect(() => {
    const t = setInterval(() => void members.reload(), PRESENCE.heartbeatSeconds * 1000)
    return () => clearInterval(t)
  }, [members.reload])

  return (
    <div class="page">
      <PageHeader
        breadcrumb="Settings"
        title="Team"
        description="People who work in this console. Owners and admins configure everything; agents answer conversations and keep the knowledge base up to date."
        actions={
          <button type="button" class="btn btn-primary" onClick={() => setInviting(true)}>
            <Icon name="plus" size={16} />
            Invite teammate
          </button>
        }
      />

      <ListCard
        id="members-title"
        title="Members"
        description={
          members.data && (
            <>
              {members.data.members.length}{' '}
              {members.data.members.length === 1 ? 'person' : 'people'} · {online} online now
            </>
          )
        }
        list={members}
        loading={{ label: 'Loading the team…' }}
        empty={false}
      >
        <DataTable class="team-table" columns={['Member', 'Role', 'Availability']}>
          {shown.map((m) => (
            <tr key={m.id} data-member-email={m.email}>
              <td>
                <div class="member">
                  <span
                    class={`avatar avatar-presence avatar-${m.availability}`}
                    aria-hidden="true"
                  >
                    {initials(m.name ?? m.email)}
                    <span class="presence-dot" />
                  </span>
                  <span class="member-text">
                    <span class="strong">
                      {m.name ?? m.email}
                      {m.id === myId && <span class="muted"> (you)</span>}
                    </span>
                    {m.name && <span class="muted member-email">{m.email}</span>}
                  </span>
                </div>
              </td>
              <td>
                {mayChange(m) ? (
                  <select
                    class="input input-sm role-select"
                    aria-label={`Role of ${m.name ?? m.email}`}
                    value={m.role}
                    onChange={(e) => void changeRole(m, e.currentTarget.value as TeamRole)}
                  >
                    {grantable(myRole)
                      .concat(grantable(myRole).includes(m.role) ? [] : [m.role])
                      .map((r) => (
                        <option key={r} value={r}>
                          {ROLE_LABEL[r]}
                        </option>
                      ))}
                  </select>
                ) : (
                  <Badge tone="violet">{ROLE_LABEL[m.role]}</Badge>
                )}
              </td>
              <td class="nowrap">
                <AvailabilityBadge member={m} />
              </td>
              <td class="cell-actions">
                {m.id !== myId && mayChange(m) && (
                  <RowButton
                    danger
                    label={`Remove ${m.name ?? m.email}`}
                    onClick={() => setRemoving(m)}
                  >
                    Remove
                  </RowButton>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      </ListCard>

      <ListCard
        id="invites-title"
        title="Pending invitations"
        description="Links work once, for 72 hours."
        list={invites}
        empty={invites.data?.invites.length === 0}
        emptyState={
          <EmptyState icon="user" title="No pending invitations">
            Invite teammates to answer conversations with you.
          </EmptyState>
        }
      >
        <DataTable columns={['Email', 'Role', 'Invited', 'Expires']}>
          {invites.data?.invites.map((i) => (
            <tr key={i.id} data-invite-email={i.email}>
              <td class="strong">{i.email}</td>
              <td>
                <Badge>{ROLE_LABEL[i.role]}</Badge>
              </td>
              <td class="nowrap" title={absoluteTime(i.created_at)}>
                {relativeTime(i.created_at)}
                {i.invited_by && (
                  <span class="muted"> by {i.invited_by.name ?? i.invited_by.email}</span>
                )}
              </td>
              <td class="nowrap" title={absoluteTime(i.expires_at)}>
                {absoluteTime(i.expires_at)}
              </td>
              <td class="cell-actions">
                {(myRole === 'owner' || i.role !== 'owner') && (
                  <RowButton
                    danger
                    label={`Withdraw the invitation of ${i.email}`}
                    onClick={() => setWithdrawing(i)}
                  >
                    Withdraw
                  </RowButton>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      </ListCard>

      <InviteDialog
        open={inviting}
        roles={grantable(myRole)}
        onClose={() => setInviting(false)}
        onInvited={(i) => {
          const { mailed: _m, invite_url: _u, ...pending } = i
          invites.setData((prev) => ({
            invites: [pending, ...(prev?.invites ?? []).filter((x) => x.email !== i.email)],
          }))
        }}
      />

      <ConfirmAction
        target={removing}
        danger
        title={`Remove ${removing?.name ?? removing?.email ?? ''}?`}
        confirmLabel="Remove from team"
        description={
          <p>
            They are signed out at once and can no longer use this console. Invite them again to
            bring them back.
          </p>
        }
        onClose={() => setRemoving(undefined)}
        failure="Not removed"
        action={async (r) => {
          await api.send(endpoints.removeMember(r.id))
          dropItem(members, 'members', r.id)
          toast.success(`${r.name ?? r.email} removed`)
        }}
      />

      <ConfirmAction
        target={withdrawing}
        danger
        title={`Withdraw the invitation of ${withdrawing?.email ?? ''}?`}
        confirmLabel="Withdraw"
        description={<p>The link stops working at once.</p>}
        onClose={() => setWithdrawing(undefined)}
        failure="Not withdrawn"
        action={async (w) => {
          await api.send(endpoints.withdrawInvite(w.id))
          dropItem(invites, 'invites', w.id)
          toast.success('Invitation withdrawn')
        }}
      />
    </div>
  )
}

function AvailabilityBadge({ member }: { member: TeamMember }) {
  if (member.availability === 'online')
    return (
      <span class="presence presence-online">
        <span class="presence-dot" aria-hidden="true" />
        Online
      </span>
    )
  const why =
    member.chosen_availability === 'away'
      ? 'Away'
      : member.last_seen_at
        ? `Away · seen ${relativeTime(member.last_seen_at)}`
        : 'Away · not signed in'
  return (
    <span class="presence presence-away">
      <span class="presence-dot" aria-hidden="true" />
      {why}
    </span>
  )
}

export function initials(nameOrEmail: string): string {
  return nameOrEmail
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('')
}
