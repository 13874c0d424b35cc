import type { AnswerSource, WsConversationFrame } from '@aurion/contract'

export type Role = 'visitor' | 'assistant' | 'agent'

export interface Attachment {
  id: string
  name: string
  type: string
  size: number
  /** A signed download URL, when the server gave one (history). */
  url?: string
}

export type MessageError = 'notSent' | 'agentDown' | 'rateLimited' | 'rejected'

export interface ChatMessage {
  /** Stable key: the `source_message_id` of a visitor message, `r:<that>` for its reply. */
  key: string
  role: Role
  body: string
  at: string
  state: 'sending' | 'sent' | 'failed' | 'streaming' | 'done'
  error?: MessageError
  /** Server-side validation text for `rejected`. */
  detail?: string
  serverId?: string
  attachments?: Attachment[]
  channel?: 'chat' | 'voice'
  /** Articles an assistant reply was answered from (shown as cards). */
  sources?: AnswerSource[]
  /** Questions the reply offers next (shown as buttons under the latest reply). */
  followUps?: string[]
  /** A person's message: their display name. */
  author?: string
  /** The visitor's thumbs up/down on this answer (kept with the thread). */
  vote?: 'up' | 'down'
}

export type Link = 'connecting' | 'online' | 'reconnecting' | 'rest' | 'offline' | 'closed'

export interface ChatState {
  messages: ChatMessage[]
  typing: boolean
  link: Link
  /** Our `source_thread_id`: the conversation survives reloads through it. */
  threadId: string
  conversationId?: string
  email?: string
  emailToken?: string
  name?: string
  /** From the last history read: does the token prove the email, can a code be mailed? */
  emailVerified?: boolean
  codeAvailable?: boolean
  /** The latest `conversation` frame: who handles the conversation (a person?) and its status. */
  conv?: WsConversationFrame
  /** The visitor message whose reply is streaming (frames don't always name it). */
  streaming?: string
}
