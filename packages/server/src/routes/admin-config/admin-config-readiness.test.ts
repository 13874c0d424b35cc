import { describe, expect, it } from 'vitest'
import { buildTestApp, createTestTenant, forEachDialect } from '../../../test/helpers.ts'

import { READINESS, readinessAgent, useAdminConfigApp } from './admin-config-fixture.ts'

forEachDialect('admin voice-widget API: GA readiness', (dialect) => {
  const f = useAdminConfigApp(dialect)
  const { call, tenantWith, agentState } = f

  describe('GET /ga-readiness', () => {
    it("matches the contract's example shape when everything is ready", async () => {
      const a = await tenantWith({
        enabled: true,
        mode: 'chat',
        allowed_origins: ['https://example.com'],
      })
      const res = await call('GET', READINESS, a.apiKey)
      expect(res.statusCode).toBe(200)
      expect(res.headers['x-ratelimit-limit']).toBe('300')
      const body = res.json()
      expect(body.ready).toBe(true)
      expect(body.failed_checks).toEqual([])
      expect(Object.keys(body.checks)).toEqual([
        'allowed_origins_configured',
        'widget_enabled',
        'voice_configured',
        'agent_configured',
      ])
      expect(body.checks.allowed_origins_configured).toEqual({
        passed: true,
        reason: null,
        details: { count: 1, origins: ['https://example.com'] },
      })
      expect(body.checks.widget_enabled).toEqual({
        passed: true,
        reason: null,
        details: { enabled: true },
      })
      expect(body.checks.voice_configured.passed).toBe(true)
      expect(body.checks.voice_configured.reason).toMatch(/mode is "chat"/)
      expect(body.checks.agent_configured).toEqual({
        passed: true,
        reason: null,
        details: { kind: 'test-agent' },
      })
    })

    it('lists every failing check with a reason an admin can act on', async () => {
      const a = await tenantWith({ enabled: false, mode: 'both', allowed_origins: [] })
      agentState.result = {
        ok: false,
        reason: 'No knowledge articles yet: add some under Knowledge',
      }
      const body = (await call('GET', READINESS, a.apiKey)).json()
      expect(body.ready).toBe(false)
      expect(body.failed_checks).toEqual([
        'allowed_origins_configured',
        'widget_enabled',
        'agent_configured',
      ])
      expect(body.checks.allowed_origins_configured.reason).toMatch(/allowed_origins/)
      expect(body.checks.widget_enabled.reason).toMatch(/disabled/)
      expect(body.checks.agent_configured).toEqual({
        passed: false,
        reason: 'No knowledge articles yet: add some under Knowledge',
        details: { kind: 'test-agent' },
      })
    })

    it('turns an agent check that throws into a failed check, not a 500', async () => {
      const a = await tenantWith({ mode: 'chat', allowed_origins: ['https://x.example'] })
      agentState.result = new Error('connect ECONNREFUSED 127.0.0.1:11434')
      const res = await call('GET', READINESS, a.apiKey)
      expect(res.statusCode).toBe(200)
      expect(res.json().failed_checks).toEqual(['agent_configured'])
      expect(res.json().checks.agent_configured.reason).toMatch(/ECONNREFUSED/)
    })

    it('counts browser speech as a working voice: a warning with the guide, not a failure', async () => {
      for (const mode of ['both', 'voice'] as const) {
        const a = await tenantWith({ mode, allowed_origins: ['https://x.example'] })
        const body = (await call('GET', READINESS, a.apiKey)).json()
        expect(body.ready).toBe(true)
        expect(body.failed_checks).toEqual([])
        expect(body.checks.voice_configured).toEqual({
          passed: true,
          reason: expect.stringMatching(
            /browser.*LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET.*voice agent.*\/docs\/voice/,
          ),
          details: {
            mode,
            voice: 'browser_speech',
            missing: ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'],
            warning: true,
            guide: '/docs/voice',
          },
        })
      }
    })

    it('follows the mode: a voice widget passes once LiveKit is configured', async () => {
      const lk = await buildTestApp({
        dialect,
        env: {
          LIVEKIT_URL: 'wss://lk.example.com',
          LIVEKIT_API_KEY: 'APIkey',
          LIVEKIT_API_SECRET: 'secretsecretsecretsecretsecretsecret',
        },
        deps: { agent: readinessAgent(agentState) },
      })
      try {
        const a = await createTestTenant(lk.db, {
          config: { mode: 'voice', allowed_origins: ['https://x.example'] },
        })
        const res = await lk.app.inject({
          method: 'GET',
          url: READINESS,
          headers: { 'x-api-key': a.apiKey },
        })
        expect(res.json().checks.voice_configured).toEqual({
          passed: true,
          reason: null,
          details: { mode: 'voice', voice: 'livekit', livekit_url: 'wss://lk.example.com' },
        })
        expect(res.json().ready).toBe(true)
      } finally {
        await lk.close()
      }
    })
  })
})
