import type { Generated, Kysely } from 'kysely'
import type {
  JobsTable,
  KnowledgeEmbeddingStateTable,
  KnowledgePassageVectorsTable,
  KnowledgeSourcePagesTable,
  KnowledgeSourcesTable,
} from './schema-jobs.ts'
import type { SsoConfigsTable, SsoLoginStatesTable } from './schema-sso.ts'
import type {
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
  WebhookEventsTable,
} from './schema-webhooks.ts'

export type * from './schema-jobs.ts'
export type * from './schema-sso.ts'
export type * from './schema-webhooks.ts'

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
  /** JSON `[{h, at}]`: email tokens of an erased email (keyed hash) issued before `at` are refused. */
  token_revocations: Generated<string>
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
  /** `owner`, `admin` or `agent`. */
  role: string
  /** What the user chose: `online` or `away` (online counts only while a console tab is open). */
  availability: string
  /** Sealed authenticator secret while two-factor sign-in is on (see migration 0022). */
  totp_secret: Generated<string | null>
  /** Sealed secret being set up, until a code confirms it. */
  totp_pending_secret: Generated<string | null>
  totp_enabled_at: Generated<string | null>
  /** The 30-second step of the last accepted code: only later steps are accepted. */
  totp_last_step: Generated<number | string | null>
}

/** One-time recovery codes of a user with two-factor sign-in, stored as keyed hashes. */
export interface AdminRecoveryCodesTable {
  id: string
  user_id: string
  code_hash: string
  created_at: string
  used_at: string | null
}

/** One open console tab of a user, refreshed by its heartbeat. */
export interface AdminPresenceTable {
  user_id: string
  tenant_id: string
  tab_id: string
  seen_at: string
}

/** A one-time set-password link for a teammate; only the token's SHA-256 is stored. */
export interface AdminInvitesTable {
  id: string
  tenant_id: string
  email: string
  name: string | null
  role: string
  token_hash: string
  invited_by: string | null
  created_at: string
  expires_at: string
  accepted_at: string | null
}

export interface AdminSessionsTable {
  id: string
  user_id: string
  tenant_id: string
  token_hash: string
  created_at: string
  expires_at: string
  revoked_at: string | null
  /** The address and browser that opened the session (migration 0023). */
  ip: Generated<string | null>
  user_agent: Generated<string | null>
  /** When the session was last used, to the minute. */
  last_seen_at: Generated<string | null>
}

export interface ContactsTable {
  id: string
  tenant_id: string
  email: string | null
  name: string | null
  /** A caller's number (E.164) for contacts made by a phone call; null otherwise. */
  phone: string | null
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
  /** Id of the email token that started or claimed it (migration 0007), else null. */
  owner_token_id: string | null
  /** An email the visitor typed but did not prove; labelled unverified, never a contact's. */
  claimed_email: string | null
  /** `ai` or `human` (migration 0010): who answers the visitor. */
  handled_by: Generated<string>
  /** The console user who owns the conversation; null = the team's queue. */
  assignee_user_id: Generated<string | null>
  /** The latest hand-off to a person: when and why (`visitor_request`, …, `agent_takeover`). */
  handoff_requested_at: Generated<string | null>
  handoff_reason: Generated<string | null>
  /** The first reply a person sent the visitor after that hand-off, and who sent it. */
  first_human_reply_at: Generated<string | null>
  first_human_reply_user_id: Generated<string | null>
  /**
   * The analytics' figures of its messages, kept by a trigger on each message insert (migration
   * 0030): cited answers (count, the last one's seq, id and vote), the last unanswered reply's, visitor
   * message's and AI reply's seqs, people's non-private replies, the first visitor and AI
   * message times and the last message time.
   */
  stat_answers: Generated<number>
  stat_last_answer_seq: Generated<number | string | null>
  stat_last_answer_id: Generated<string | null>
  stat_last_answer_rating: Generated<string | null>
  stat_last_unanswered_seq: Generated<number | string | null>
  stat_last_visitor_seq: Generated<number | string | null>
  stat_last_ai_seq: Generated<number | string | null>
  stat_person_messages: Generated<number>
  stat_first_visitor_at: Generated<string | null>
  stat_first_ai_at: Generated<string | null>
  stat_last_message_at: Generated<string | null>
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
  /** 1: a private note of the team, never shown to the visitor (migration 0010). */
  private: Generated<number>
  /** The console user who wrote a person's message (null: an API key, or not a person). */
  author_user_id: Generated<string | null>
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
  /** Help Center category (a label); null: none. */
  category: string | null
  /** Unique per tenant: the article's address in the Help Center. */
  slug: string
  /** `published` (default) or `draft`: drafts are neither public nor used by the assistant. */
  status: Generated<string>
  /** "Was this helpful?" answers from the Help Center. */
  helpful_count: Generated<number>
  not_helpful_count: Generated<number>
  created_at: string
  updated_at: string
  /** The knowledge source that imported it (`ks_…`), if any. */
  source_id: string | null
  /** The page it was imported from: the URL an answer from it cites. */
  source_url: string | null
  /** The name of the file it was imported from. */
  source_file: string | null
}

/** A tenant's public Help Center (at most one). */
export interface HelpCentersTable {
  tenant_id: string
  /** Unique across tenants: `/hc/{slug}` and `{slug}.{AURION_HELP_CENTER_DOMAIN}`. */
  slug: string
  /** 1 or 0. */
  enabled: number
  title: string
  description: string | null
  logo_url: string | null
  primary_color: string | null
  created_at: string
  updated_at: string
  /** The knowledge source that imported it (`ks_…`), if any. */
  source_id: string | null
  /** The page it was imported from: the URL an answer from it cites. */
  source_url: string | null
  /** The name of the file it was imported from. */
  source_file: string | null
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

/** The one-time code that proves an email token's email (hashed; one per token). */
export interface VisitorEmailCodesTable {
  tenant_id: string
  token_id: string
  email: string
  /** Hex HMAC-SHA256 of the code under the server secret. */
  code_hash: string
  failed_attempts: Generated<number>
  expires_at: string
  created_at: string
}

/** The tenant's phone line and the LiveKit SIP objects that carry it. */
export interface PhoneLinesTable {
  tenant_id: string
  /** 0 or 1. */
  enabled: Generated<number>
  greeting: string | null
  transfer_to: string | null
  trunk_id: string | null
  dispatch_rule_id: string | null
  updated_at: string
}

/** A number the tenant's line answers (E.164); the key makes it one tenant's. */
export interface PhoneNumbersTable {
  number: string
  tenant_id: string
  /** Order as the admin gave them. */
  position: number
}

/** Administrative actions (migration 0011): append-only, triggers refuse UPDATE and DELETE. */
export interface AuditLogTable {
  /** Time-ordered id (`aud_…`): the cursor of the listing. */
  id: string
  tenant_id: string
  /** `user` (console user), `api_key`, `system` or `anonymous` (a failed sign-in). */
  actor_type: string
  actor_id: string | null
  action: string
  target: string | null
  /** JSON object or null. Never a secret, a password or an erased email (hashes only). */
  details: string | null
  ip: string | null
  created_at: string
}

/** What the retention job removed for a tenant the last time it ran. */
export interface RetentionRunsTable {
  tenant_id: string
  ran_at: string
  /** Activity before this instant was due. */
  cutoff: string
  conversations: number
  messages: number
  uploads: number
  feedback: number
  outbox: number
}

export interface Database {
  tenants: TenantsTable
  tenant_origins: TenantOriginsTable
  api_keys: ApiKeysTable
  admin_users: AdminUsersTable
  admin_sessions: AdminSessionsTable
  admin_recovery_codes: AdminRecoveryCodesTable
  admin_presence: AdminPresenceTable
  admin_invites: AdminInvitesTable
  contacts: ContactsTable
  conversations: ConversationsTable
  threads: ThreadsTable
  messages: MessagesTable
  uploads: UploadsTable
  knowledge_articles: KnowledgeArticlesTable
  knowledge_revisions: KnowledgeRevisionsTable
  knowledge_passage_vectors: KnowledgePassageVectorsTable
  knowledge_embedding_state: KnowledgeEmbeddingStateTable
  help_centers: HelpCentersTable
  voice_agent_workers: VoiceAgentWorkersTable
  visitor_email_codes: VisitorEmailCodesTable
  phone_lines: PhoneLinesTable
  phone_numbers: PhoneNumbersTable
  audit_log: AuditLogTable
  retention_runs: RetentionRunsTable
  jobs: JobsTable
  knowledge_sources: KnowledgeSourcesTable
  knowledge_source_pages: KnowledgeSourcePagesTable
  webhook_endpoints: WebhookEndpointsTable
  webhook_events: WebhookEventsTable
  webhook_deliveries: WebhookDeliveriesTable
  webhook_attempts: WebhookAttemptsTable
  message_feedback: MessageFeedbackTable
  conversation_csat: ConversationCsatTable
  sso_configs: SsoConfigsTable
  sso_login_states: SsoLoginStatesTable
}

/** A visitor's thumbs up/down on one assistant answer (migration 0020); one per message. */
export interface MessageFeedbackTable {
  message_id: string
  tenant_id: string
  conversation_id: string
  /** `up` or `down`. */
  rating: string
  comment: string | null
  created_at: string
  /** The latest vote's time (a second vote replaces the first). */
  updated_at: string
}

/** A conversation's 1–5 satisfaction score (migration 0020); one per conversation. */
export interface ConversationCsatTable {
  conversation_id: string
  tenant_id: string
  score: number
  comment: string | null
  created_at: string
  updated_at: string
}

export type Db = Kysely<Database>
export type Dialect = 'sqlite' | 'postgres'
