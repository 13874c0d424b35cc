import type { WidgetConfig } from '@aurion/contract'
import type { ConversationsTable, MessagesTable, ThreadsTable } from '../db/schema.ts'
import type { TenantRow } from '../tenants/tenant-repo.ts'

/** A tenant whose caller is already authenticated (widget guard, internal token, admin). */
export interface TenantAccess {
  tenant: TenantRow
  config: WidgetConfig
}

/** Hand-off columns of a conversation (migration 0010); a row read with `selectAll` has them. */
export interface HandoffColumns {
  handled_by: string
  assignee_user_id: string | null
  handoff_requested_at: string | null
  handoff_reason: string | null
  first_human_reply_at: string | null
  first_human_reply_user_id: string | null
}
type HandoffColumnName = keyof HandoffColumns

/** The analytics' figures kept by a trigger (migration 0030): read by the analytics only. */
type StatColumnName = Extract<keyof ConversationsTable, `stat_${string}`>

/** A conversation; the hand-off columns are absent on one built in memory (they default). */
export type ConversationRow = Omit<
  ConversationsTable,
  'contact_verified' | HandoffColumnName | StatColumnName
> & {
  contact_verified: number
} & Partial<HandoffColumns>
export type ThreadRow = ThreadsTable
/** A message; `private` and `author_user_id` default to 0 and null when absent. */
export type MessageRow = Omit<MessagesTable, 'seq' | 'private' | 'author_user_id'> & {
  seq: number
  private?: number
  author_user_id?: string | null
}
/** `phone`: a turn of a phone call (spoken, like `voice`). */
export type Channel = 'chat' | 'voice' | 'phone'
export type SenderType = 'contact' | 'ai' | 'agent'

/** Options every conversation service call takes. */
export interface ServiceOptions {
  /** Publisher tag on bus frames (e.g. a socket id) so that publisher can skip its own frames. */
  origin?: string | undefined
  /**
   * Skips the ownership checks (token-proven conversations). Only for callers that are not the
   * visitor: the internal voice API, the admin console.
   */
  trusted?: boolean | undefined
  /** Where to report unexpected agent failures. */
  log?: { error(obj: object, msg: string): void } | undefined
}
