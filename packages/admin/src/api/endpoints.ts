import type {
  ApiKeyCreateRequest,
  KnowledgeArticleInput,
  LoginRequest,
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

  getConfig: () => json('GET', '/api/v1/voice-widget/config'),
  putConfig: (body: WidgetConfigUpdate) => json('PUT', '/api/v1/voice-widget/config', body),
  regenerateKey: () => json('POST', '/api/v1/voice-widget/config/regenerate-key'),
  rotateIdentitySecret: () => json('POST', '/api/v1/voice-widget/config/rotate-identity-secret'),
  gaReadiness: () => json('GET', '/api/v1/voice-widget/ga-readiness'),

  listApiKeys: () => json('GET', '/api/v1/api-keys'),
  createApiKey: (body: ApiKeyCreateRequest) => json('POST', '/api/v1/api-keys', body),
  revokeApiKey: (keyId: string) => json('DELETE', `/api/v1/api-keys/${id(keyId)}`),

  listArticles: (p: { q?: string; limit?: number; offset?: number } = {}) =>
    json('GET', `/api/v1/knowledge/articles${query(p)}`),
  getArticle: (articleId: string) => json('GET', `/api/v1/knowledge/articles/${id(articleId)}`),
  createArticle: (body: KnowledgeArticleInput) => json('POST', '/api/v1/knowledge/articles', body),
  updateArticle: (articleId: string, body: KnowledgeArticleInput) =>
    json('PUT', `/api/v1/knowledge/articles/${id(articleId)}`, body),
  deleteArticle: (articleId: string) =>
    json('DELETE', `/api/v1/knowledge/articles/${id(articleId)}`),
  searchKnowledge: (question: string, limit = 5) =>
    json('POST', '/api/v1/knowledge/search', { question, limit }),

  listConversations: (p: { q?: string; status?: string; limit?: number; offset?: number } = {}) =>
    json('GET', `/api/v1/conversations${query(p)}`),
  getConversation: (conversationId: string) =>
    json('GET', `/api/v1/conversations/${id(conversationId)}`),
}
