import type { TeamRole } from '@aurion/contract'
import { createAdminSession } from '../src/admin-users/session-repo.ts'
import { type AdminUserRow, createAdminUser } from '../src/admin-users/user-repo.ts'
import type { Db } from '../src/db/schema.ts'
import type { ReceivedMail } from './smtp-receiver.ts'

export const MEMBER_PASSWORD = 'a long enough password'

/** A console user of the tenant with a role, and the headers of a session of theirs. */
export async function addMember(
  db: Db,
  tenantId: string,
  role: TeamRole,
  email = `${role}-${Math.random().toString(36).slice(2, 8)}@acme.test`,
): Promise<{ user: AdminUserRow; headers: { authorization: string } }> {
  const user = await createAdminUser(db, {
    tenantId,
    email,
    name: `${role[0]!.toUpperCase()}${role.slice(1)} ${email.split('@')[0]}`,
    password: MEMBER_PASSWORD,
    role,
  })
  const { token } = await createAdminSession(db, { userId: user.id, tenantId })
  return { user, headers: { authorization: `Bearer ${token}` } }
}

/** The text part of a mail with quoted-printable soft breaks and escapes undone. */
export function mailText(mail: ReceivedMail): string {
  return mail.raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
}

/** The set-password link of an invitation mail. */
export function inviteLinkFromMail(mail: ReceivedMail): string {
  const url = /https?:\/\/\S+\/admin\/invite\/(ainv_[0-9A-Za-z]{43})/.exec(mailText(mail))
  if (!url) throw new Error(`no invitation link in:\n${mail.raw}`)
  return url[0]
}

/** The token at the end of an invitation link. */
export const tokenOfLink = (link: string) => link.slice(link.lastIndexOf('/') + 1)
