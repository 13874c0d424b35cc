import type { Dialect } from '@aurion/server/test-support'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import type { Agent } from '../../agent/agent.ts'
import { createApiKey } from '../../auth/api-key-repo.ts'
import type { BusEvent } from '../../realtime/bus.ts'
import { createMemoryBus } from '../../realtime/memory-bus.ts'

export const PUBLIC_URL = 'https://apps.example.com'
export const CONFIG = '/api/v1/voice-widget/config'
export const REGENERATE = '/api/v1/voice-widget/config/regenerate-key'
export const ROTATE_SECRET = '/api/v1/voice-widget/config/rotate-identity-secret'
export const READINESS = '/api/v1/voice-widget/ga-readiness'
export const MISSING_WRITE = { detail: 'API key missing required scope: config:write' }
export const MISSING_READ = { detail: 'API key missing required scope: config:read' }
export const PUBLIC_KEY_RE = /^vwk_[0-9A-Za-z]{24}$/

/** The contract's "Update widget config" example body. */
export const CONTRACT_EXAMPLE = {
  enabled: true,
  display_title: 'Support',
  launcher_label: 'Chat with us',
  welcome_text: 'Hi! How can I help you today?',
  launcher_position: 'bottom-right',
  accent_theme: 'blue',
  primary_color: '#6366F1',
  allowed_origins: ['https://example.com', 'https://app.example.com'],
}
export const REQUIRED = { enabled: true, display_title: 'Support', launcher_label: 'Chat with us' }

export const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
export const svgUrl = (svg: string) =>
  `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`

export class FakeAgentState {
  result: { ok: boolean; reason: string | null } | Error = { ok: true, reason: null }
}
/** Only `check()` matters to readiness; the reply path belongs to the agent's own tests. */
export function readinessAgent(state: FakeAgentState): Agent {
  return {
    kind: 'test-agent',
    reply() {
      throw new Error('not used by these tests')
    },
    async check() {
      if (state.result instanceof Error) throw state.result
      return state.result
    },
  }
}

/** The app of the admin voice-widget API tests, per dialect, with its bus events and helpers. */
export function useAdminConfigApp(dialect: Dialect) {
  const f = {
    t: undefined as unknown as TestApp,
    events: [] as BusEvent[],
    agentState: new FakeAgentState(),
    call: (
      method: 'GET' | 'PUT' | 'POST' | 'HEAD' | 'DELETE',
      url: string,
      key: string | undefined,
      payload?: unknown,
    ) =>
      f.t.app.inject({
        method,
        url,
        headers: key === undefined ? {} : { 'x-api-key': key },
        ...(payload === undefined ? {} : { payload: payload as object }),
      }),
    tenantWith: (config?: Record<string, unknown>, scopes?: string[]) =>
      createTestTenant(f.t.db, { ...(config ? { config } : {}), ...(scopes ? { scopes } : {}) }),
    keyWith: async (tenant: TestTenant, scopes: string[]) =>
      (await createApiKey(f.t.db, { tenantId: tenant.tenantId, scopes })).key,
  }
  beforeAll(async () => {
    const bus = createMemoryBus()
    bus.subscribe((e) => f.events.push(e))
    f.t = await buildTestApp({
      dialect,
      env: { AURION_PUBLIC_URL: `${PUBLIC_URL}/` },
      deps: { bus, agent: readinessAgent(f.agentState) },
    })
  })
  afterAll(async () => f.t.close())
  beforeEach(() => {
    f.events = []
    f.agentState.result = { ok: true, reason: null }
  })
  return f
}
