/**
 * The `slack` endpoint format: a team chat's incoming-webhook URL takes `{"text": …}`. Hand-offs
 * are what a team wants there; every other subscribed event gets a one-line summary too. Text
 * from visitors is escaped (`&`, `<`, `>`), so it cannot form mentions or links.
 */
export function teamChatBody(type: string, data: Record<string, unknown>): string {
  return JSON.stringify({ text: teamChatText(type, data) })
}

export function teamChatText(type: string, data: Record<string, unknown>): string {
  const conversation = record(data.conversation)
  const subject = str(conversation?.subject)
  const about = subject ? ` “${escapeText(clip(subject, 200))}”` : ''
  const id = str(conversation?.id) ?? str(data.conversation_id)
  const ref = id ? ` (${escapeText(id)})` : ''
  switch (type) {
    case 'conversation.handoff_requested':
      return `:raising_hand: A visitor is waiting for a person: conversation${about}${ref}`
    case 'conversation.assigned': {
      const who = str(record(data.assignee)?.name) ?? str(record(data.assignee)?.email)
      return `Conversation${about}${ref} assigned${who ? ` to ${escapeText(clip(who, 100))}` : ''}`
    }
    case 'conversation.resolved':
      return `Conversation${about}${ref} resolved`
    case 'conversation.created':
      return `New conversation${about}${ref}`
    case 'message.created': {
      const m = record(data.message)
      const body = str(m?.body) ?? ''
      const from =
        str(m?.sender_type) === 'contact'
          ? 'Visitor'
          : str(m?.sender_type) === 'ai'
            ? 'Assistant'
            : 'Agent'
      return `${from}: ${escapeText(clip(body, 500))}`
    }
    case 'ping':
      return 'Aurion test event: this channel receives Aurion notifications.'
    default:
      return `Aurion event ${escapeText(type)}${ref}`
  }
}

function escapeText(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}
