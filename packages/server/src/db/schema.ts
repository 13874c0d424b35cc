import type { Generated, Kysely } from 'kysely'

/** Timestamps are ISO-8601 UTC strings in both dialects; JSON columns are text. */
export interface TenantsTable {
  id: string
  name: string
  public_widget_key: string
  identity_secret: string
  /** JSON of the stored widget config (see the contract package's `WidgetConfig`). */
  config: string
  created_at: string
  updated_at: string
}

export interface ApiKeysTable {
  id: string
  tenant_id: string
  name: string
  /** First characters of the key, shown to admins (`itsm_sk_live_AbCd`). */
  prefix: string
  /** Hex SHA-256 of the whole key; the key itself is never stored. */
  key_hash: string
  /** JSON array of scopes, e.g. `["config:read","config:write"]`. */
  scopes: string
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface AdminUsersTable {
  id: string
  tenant_id: string
  email: string
  name: string | null
  password_hash: string
  created_at: string
}

export interface AdminSessionsTable {
  id: string
  user_id: string
  tenant_id: string
  token_hash: string
  created_at: string
  expires_at: string
  revoked_at: string | null
}

export interface ContactsTable {
  id: string
  tenant_id: string
  email: string | null
  name: string | null
  created_at: string
  updated_at: string
}

export interface ConversationsTable {
  id: string
  tenant_id: string
  contact_id: string | null
  subject: string
  /** `open` or `resolved`. */
  status: string
  /** 1 when the contact was proven by an email token (see migration 0004), else 0. */
  contact_verified: Generated<number>
  created_at: string
  updated_at: string
}

export interface ThreadsTable {
  id: string
  tenant_id: string
  conversation_id: string
  /** Client-chosen thread id (`source_thread_id`), unique per tenant when set. */
  source_thread_id: string | null
  created_at: string
}

export interface MessagesTable {
  /** Insertion order; ties in `created_at` are broken by it. */
  seq: Generated<number>
  id: string
  tenant_id: string
  conversation_id: string
  thread_id: string
  /** `contact` (visitor), `ai` (assistant) or `agent` (a human admin). */
  sender_type: string
  body: string
  /** Client idempotency key, unique per tenant. */
  source_message_id: string | null
  /** For an `ai` message: the visitor message it answers (unique: one reply per message). */
  reply_to_id: string | null
  /** `chat` or `voice`. */
  channel: string
  /** JSON object or null. */
  metadata: string | null
  created_at: string
}

export interface UploadsTable {
  id: string
  tenant_id: string
  file_name: string
  content_type: string
  size_bytes: number
  sha256: string
  data: Buffer
  message_id: string | null
  created_at: string
}

export interface KnowledgeArticlesTable {
  id: string
  tenant_id: string
  title: string
  body: string
  /** JSON array of strings. */
  tags: string
  created_at: string
  updated_at: string
}

export interface TenantOriginsTable {
  tenant_id: string
  /** Normalized origin, as in the config's `allowed_origins`. */
  origin: string
}

/** Per-tenant counter bumped with every article write: the search index cache's staleness check. */
export interface KnowledgeRevisionsTable {
  tenant_id: string
  revision: number
}

/** Latest report of each voice agent worker (readiness: is a worker registered with LiveKit?). */
export interface VoiceAgentWorkersTable {
  worker_id: string
  agent_name: string
  /** `connecting`, `registered`, `draining` or `stopped`. */
  status: string
  active_jobs: number
  version: string | null
  livekit_worker_id: string | null
  last_seen_at: string
}

export interface Database {
  tenants: TenantsTable
  tenant_origins: TenantOriginsTable
  api_keys: ApiKeysTable
  admin_users: AdminUsersTable
  admin_sessions: AdminSessionsTable
  contacts: ContactsTable
  conversations: ConversationsTable
  threads: ThreadsTable
  messages: MessagesTable
  uploads: UploadsTable
  knowledge_articles: KnowledgeArticlesTable
  knowledge_revisions: KnowledgeRevisionsTable
  voice_agent_workers: VoiceAgentWorkersTable
}

export type Db = Kysely<Database>
export type Dialect = 'sqlite' | 'postgres'
