import type {
  ApiKeyCreateRequest,
  Availability,
  HelpCenterUpdate,
  InviteAcceptRequest,
  KnowledgeArticleInput,
  KnowledgeSourceInput,
  LoginRequest,
  PhoneConfigUpdate,
  SsoSettingsUpdate,
  TeamInviteCreateRequest,
  TeamRole,
  TwoFactorDisableRequest,
  WebhookCreateRequest,
  WebhookUpdateRequest,
  WidgetConfigUpdate,
} from '@aurion/contract'

/** A request as data (`fetch(r.url, r.init)`): every endpoint is testable without a network. */
export interface ApiRequest {
  url: string
  init: RequestInit & { method: string; headers: Record<string, string> }
}

const json = (method: string, url: string, body?: unknown): ApiRequest => ({
  url,
  init: {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  },
})

const query = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') q.set(k, String(v))
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}

const id = (value: string) => encodeURIComponent(value)

/** Every API call the console makes, by name. Paths are the server's, relative to its origin. */
export const endpoints = {
  login: (body: LoginRequest) => json('POST', '/api/v1/auth/login', body),
  me: () => json('GET', '/api/v1/auth/me'),
  logout: () => json('POST', '/api/v1/auth/logout'),
  lookupInvite: (token: string) => json('POST', '/api/v1/auth/invites/lookup', { token }),
  acceptInvite: (body: InviteAcceptRequest) => json('POST', '/api/v1/auth/invites/accept', body),
  twoFactorStatus: () => json('GET', '/api/v1/auth/two-factor'),
  twoFactorSetup: (password: string) => json('POST', '/api/v1/auth/two-factor/setup', { password }),
  twoFactorEnable: (code: string) => json('POST', '/api/v1/auth/two-factor/enable', { code }),
  twoFactorDisable: (body: TwoFactorDisableRequest) =>
    json('POST', '/api/v1/auth/two-factor/disable', body),
  listSessions: () => json('GET', '/api/v1/auth/sessions'),
  revokeSession: (sessionId: string) => json('DELETE', `/api/v1/auth/sessions/${id(sessionId)}`),
  revokeOtherSessions: () => json('POST', '/api/v1/auth/sessions/revoke-others'),
  ssoSettings: () => json('GET', '/api/v1/auth/sso'),
  saveSsoSettings: (body: SsoSettingsUpdate) => json('PUT', '/api/v1/auth/sso', body),
  /** Where the browser goes (a navigation, not a fetch) to sign in through the provider. */
  ssoStartUrl: (email: string) => `/api/v1/auth/sso/start${query({ email })}`,

  auditLog: (params: { action?: string; cursor?: string; limit?: number }) =>
    json('GET', `/api/v1/audit-log${query(params)}`),
  eraseVisitor: (email: string) => json('POST', '/api/v1/privacy/erase', { email }),
  exportVisitor: (email: string) => json('GET', `/api/v1/privacy/export${query({ email })}`),
  retentionStatus: () => json('GET', '/api/v1/privacy/retention'),

  listMembers: () => json('GET', '/api/v1/team/members'),
  changeRole: (userId: string, role: TeamRole) =>
    json('PATCH', `/api/v1/team/members/${id(userId)}`, { role }),
  removeMember: (userId: string) => json('DELETE', `/api/v1/team/members/${id(userId)}`),
  listInvites: () => json('GET', '/api/v1/team/invites'),
  createInvite: (body: TeamInviteCreateRequest) => json('POST', '/api/v1/team/invites', body),
  withdrawInvite: (inviteId: string) => json('DELETE', `/api/v1/team/invites/${id(inviteId)}`),
  myMembership: () => json('GET', '/api/v1/team/me'),
  setAvailability: (availability: Availability) =>
    json('PATCH', '/api/v1/team/me', { availability }),
  /** A console tab is open (`closing`: it is closing; sent with keepalive so it outlives the page). */
  heartbeat: (tabId: string, closing = false) => {
    const r = json('POST', '/api/v1/team/me/heartbeat', {
      tab_id: tabId,
      ...(closing ? { closing: true } : {}),
    })
    if (closing) r.init.keepalive = true
    return r
  },

  getConfig: () => json('GET', '/api/v1/voice-widget/config'),
  putConfig: (body: WidgetConfigUpdate) => json('PUT', '/api/v1/voice-widget/config', body),
  regenerateKey: () => json('POST', '/api/v1/voice-widget/config/regenerate-key'),
  rotateIdentitySecret: () => json('POST', '/api/v1/voice-widget/config/rotate-identity-secret'),
  gaReadiness: () => json('GET', '/api/v1/voice-widget/ga-readiness'),
  getPhone: () => json('GET', '/api/v1/voice-widget/phone'),
  putPhone: (body: PhoneConfigUpdate) => json('PUT', '/api/v1/voice-widget/phone', body),

  listApiKeys: () => json('GET', '/api/v1/api-keys'),
  createApiKey: (body: ApiKeyCreateRequest) => json('POST', '/api/v1/api-keys', body),
  revokeApiKey: (keyId: string) => json('DELETE', `/api/v1/api-keys/${id(keyId)}`),

  listWebhooks: () => json('GET', '/api/v1/webhooks'),
  createWebhook: (body: WebhookCreateRequest) => json('POST', '/api/v1/webhooks', body),
  updateWebhook: (hookId: string, body: WebhookUpdateRequest) =>
    json('PATCH', `/api/v1/webhooks/${id(hookId)}`, body),
  deleteWebhook: (hookId: string) => json('DELETE', `/api/v1/webhooks/${id(hookId)}`),
  rotateWebhookSecret: (hookId: string) =>
    json('POST', `/api/v1/webhooks/${id(hookId)}/rotate-secret`),
  /** Sends a `ping` to the endpoint now; answers with its delivery. */
  testWebhook: (hookId: string) => json('POST', `/api/v1/webhooks/${id(hookId)}/test`),
  webhookDeliveries: (hookId: string, limit = 25) =>
    json('GET', `/api/v1/webhooks/${id(hookId)}/deliveries${query({ limit })}`),
  redeliverWebhook: (hookId: string, deliveryId: string) =>
    json('POST', `/api/v1/webhooks/${id(hookId)}/deliveries/${id(deliveryId)}/retry`),

  analyticsOverview: (p: { from: string; to: string; interval: string; tz: string }) =>
    json('GET', `/api/v1/analytics/overview${query(p)}`),
  analyticsUnanswered: (p: { from: string; to: string; limit?: number }) =>
    json('GET', `/api/v1/analytics/unanswered${query(p)}`),
  analyticsArticles: (p: { from: string; to: string }) =>
    json('GET', `/api/v1/analytics/articles${query({ from: p.from, to: p.to })}`),
  analyticsAgents: (p: { from: string; to: string }) =>
    json('GET', `/api/v1/analytics/agents${query({ from: p.from, to: p.to })}`),
  listArticles: (p: { q?: string; limit?: number; offset?: number } = {}) =>
    json('GET', `/api/v1/knowledge/articles${query(p)}`),
  getArticle: (articleId: string) => json('GET', `/api/v1/knowledge/articles/${id(articleId)}`),
  createArticle: (body: KnowledgeArticleInput) => json('POST', '/api/v1/knowledge/articles', body),
  updateArticle: (articleId: string, body: KnowledgeArticleInput) =>
    json('PUT', `/api/v1/knowledge/articles/${id(articleId)}`, body),
  deleteArticle: (articleId: string) =>
    json('DELETE', `/api/v1/knowledge/articles/${id(articleId)}`),
  listSources: () => json('GET', '/api/v1/knowledge/sources'),
  getSource: (sourceId: string) => json('GET', `/api/v1/knowledge/sources/${id(sourceId)}`),
  addSource: (body: KnowledgeSourceInput) => json('POST', '/api/v1/knowledge/sources', body),
  syncSource: (sourceId: string) => json('POST', `/api/v1/knowledge/sources/${id(sourceId)}/sync`),
  deleteSource: (sourceId: string) => json('DELETE', `/api/v1/knowledge/sources/${id(sourceId)}`),
  /** A document as multipart `file` (the browser sets the boundary; send with `api.upload`). */
  importDocument: (file: File): ApiRequest => {
    const body = new FormData()
    body.append('file', file, file.name)
    return { url: '/api/v1/knowledge/import', init: { method: 'POST', headers: {}, body } }
  },
  getHelpCenter: () => json('GET', '/api/v1/help-center'),
  putHelpCenter: (body: HelpCenterUpdate) => json('PUT', '/api/v1/help-center', body),
  searchKnowledge: (question: string, limit = 5) =>
    json('POST', '/api/v1/knowledge/search', { question, limit }),

  listConversations: (p: ConversationFilters = {}) =>
    json('GET', `/api/v1/conversations${query({ ...p })}`),
  getConversation: (conversationId: string) =>
    json('GET', `/api/v1/conversations/${id(conversationId)}`),
  /** A person's reply (or, with `private`, a note for the team only). */
  postConversationMessage: (
    conversationId: string,
    body: { body: string; private?: boolean; upload_ids?: string[] },
  ) => json('POST', `/api/v1/conversations/${id(conversationId)}/messages`, body),
  /** Claim/assign (`assignee_email`), return to AI / take over (`handled_by`), resolve/reopen. */
  patchConversation: (
    conversationId: string,
    body: {
      status?: 'open' | 'resolved'
      handled_by?: 'ai' | 'human'
      assignee_email?: string | null
    },
  ) => json('PATCH', `/api/v1/conversations/${id(conversationId)}`, body),
  /** The agent is typing in this conversation (sent at most every few seconds). */
  agentTyping: (conversationId: string) =>
    json('POST', `/api/v1/conversations/${id(conversationId)}/typing`),
  /** The console users of the tenant (to assign a conversation to). */
  teamMembers: () => json('GET', '/api/v1/team/members'),
  /** The assistant's draft of a reply from the knowledge base, for the agent to edit. */
  suggestReply: (conversationId: string) =>
    json('POST', `/api/v1/conversations/${id(conversationId)}/suggest-reply`),
}

/** Filters of `GET /api/v1/conversations` (`assignee`: `me`, `none` or an email). */
export interface ConversationFilters {
  q?: string
  status?: string
  handled_by?: string
  assignee?: string
  limit?: number
  offset?: number
}
