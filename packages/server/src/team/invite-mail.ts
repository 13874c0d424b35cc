import { TEAM_INVITE_TTL_HOURS } from '@aurion/contract'
import type { MailMessage } from '../mail/mailer.ts'

/** The invitation email: plain text only, so nothing a name or a tenant holds can render as markup. */
export function inviteMail(input: {
  to: string
  url: string
  role: string
  tenantName: string
  inviter: { name: string | null; email: string } | undefined
}): MailMessage {
  const who = input.inviter ? (input.inviter.name ?? input.inviter.email) : 'Your team'
  return {
    to: input.to,
    subject: `You are invited to ${input.tenantName} on Aurion`,
    text: [
      `${who} invited you to the Aurion console of ${input.tenantName} as ${article(input.role)} ${input.role}.`,
      '',
      'Choose your password and sign in here:',
      '',
      `    ${input.url}`,
      '',
      `The link works once, for ${TEAM_INVITE_TTL_HOURS} hours.`,
      'If you did not expect this invitation, ignore this email.',
    ].join('\n'),
  }
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a')
