import type { WidgetConfig } from '@aurion/contract'
import type { ConversationsTable, MessagesTable, ThreadsTable } from '../db/schema.ts'
import type { TenantRow } from '../tenants/tenant-repo.ts'

/** A tenant whose caller is already authenticated (widget guard, internal token, admin). */
export interface TenantAccess {
  tenant: TenantRow
  config: WidgetConfig
}

export type ConversationRow = Omit<ConversationsTable, 'contact_verified'> & {
  contact_verified: number
}
export type ThreadRow = ThreadsTable
export type MessageRow = Omit<MessagesTable, 'seq'> & { seq: number }
export type Channel = 'chat' | 'voice'
export type SenderType = 'contact' | 'ai' | 'agent'
