import { WIDGET_CONFIG_DEFAULTS } from '@aurion/contract'
import { describe, expect, it } from 'vitest'
import { forEachDialect } from '../../../test/helpers.ts'

import {
  CONFIG,
  CONTRACT_EXAMPLE,
  PNG_1PX,
  REQUIRED,
  useAdminConfigApp,
} from './admin-config-fixture.ts'

forEachDialect('admin voice-widget API: PUT /config', (dialect) => {
  const f = useAdminConfigApp(dialect)
  const { call, tenantWith } = f

  describe('PUT /config', () => {
    it("stores the contract's example and answers with the full config", async () => {
      const a = await tenantWith({})
      const res = await call('PUT', CONFIG, a.apiKey, CONTRACT_EXAMPLE)
      expect(res.statusCode).toBe(200)
      expect(res.headers['x-ratelimit-limit']).toBe('300')
      const body = res.json()
      expect(body).toMatchObject({ ...CONTRACT_EXAMPLE, tenant_id: a.tenantId })
      expect(body.public_widget_key).toBe(a.publicKey)
      expect(body.embed_snippet).toContain(a.publicKey)
      const again = (await call('GET', CONFIG, a.apiKey)).json()
      expect(again).toEqual(body)
      expect(f.events).toEqual([{ type: 'tenant.config_changed', tenantId: a.tenantId }])
    })

    it('normalizes origins: lower-case, default port dropped, duplicates removed', async () => {
      const a = await tenantWith({})
      const res = await call('PUT', CONFIG, a.apiKey, {
        ...REQUIRED,
        allowed_origins: [
          'HTTPS://Example.COM',
          'https://example.com:443',
          'https://example.com/',
          'http://localhost:5173',
          'http://APP.example.com:80',
        ],
      })
      expect(res.statusCode).toBe(200)
      expect(res.json().allowed_origins).toEqual([
        'https://example.com',
        'http://localhost:5173',
        'http://app.example.com',
      ])
    })

    it('keeps omitted optional fields, resets null ones to the default, ignores unknown fields', async () => {
      const a = await tenantWith({})
      await call('PUT', CONFIG, a.apiKey, {
        ...CONTRACT_EXAMPLE,
        theme: 'dark',
        mode: 'chat',
        launcher_bubble_message: 'Questions?',
        display_title_translations: { de: 'Hilfe', 'pt-BR': 'Ajuda' },
      })
      const res = await call('PUT', CONFIG, a.apiKey, {
        enabled: true,
        display_title: 'Help desk',
        launcher_label: 'Ask',
        primary_color: null,
        tenant_id: 'someone-else',
        public_widget_key: 'vwk_stolenstolenstolenstol',
        hacker_field: '<script>',
      })
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body).toMatchObject({
        display_title: 'Help desk',
        launcher_label: 'Ask',
        theme: 'dark',
        mode: 'chat',
        launcher_bubble_message: 'Questions?',
        allowed_origins: CONTRACT_EXAMPLE.allowed_origins,
        display_title_translations: { de: 'Hilfe', 'pt-BR': 'Ajuda' },
        primary_color: WIDGET_CONFIG_DEFAULTS.primary_color,
        tenant_id: a.tenantId,
        public_widget_key: a.publicKey,
      })
      expect(body).not.toHaveProperty('hacker_field')
    })

    it('accepts every optional field with a valid value', async () => {
      const a = await tenantWith({})
      const full = {
        ...CONTRACT_EXAMPLE,
        launcher_position: 'bottom-left',
        accent_theme: 'emerald',
        accent_color: '#abc',
        launcher_bubble_message: 'Need help?',
        logo_url: `data:image/png;base64,${PNG_1PX}`,
        show_powered_by: false,
        sso_auto_login: true,
        theme: 'light',
        quick_actions_enabled: false,
        quick_actions: ['Reset my password'],
        mode: 'voice',
        display_title_translations: { de: 'Hilfe' },
        launcher_label_translations: { de: 'Frag uns' },
        welcome_text_translations: { de: 'Hallo!' },
        launcher_bubble_message_translations: { fr: 'Besoin d’aide ?' },
        identity_verification_required: true,
        voice_auth_enabled: false,
        agent_instructions: 'Be brief.',
      }
      const res = await call('PUT', CONFIG, a.apiKey, full)
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject(full)
    })

    it('publishes sockets_revoked when the widget becomes disabled, and only then', async () => {
      const a = await tenantWith({ enabled: true, allowed_origins: ['https://example.com'] })
      await call('PUT', CONFIG, a.apiKey, REQUIRED)
      expect(f.events).toEqual([{ type: 'tenant.config_changed', tenantId: a.tenantId }])
      f.events = []
      await call('PUT', CONFIG, a.apiKey, { ...REQUIRED, enabled: false })
      expect(f.events).toEqual([
        { type: 'tenant.config_changed', tenantId: a.tenantId },
        { type: 'tenant.sockets_revoked', tenantId: a.tenantId, reason: 'widget_disabled' },
      ])
      f.events = []
      await call('PUT', CONFIG, a.apiKey, { ...REQUIRED, enabled: false })
      expect(f.events).toEqual([{ type: 'tenant.config_changed', tenantId: a.tenantId }])
    })

    it('serializes concurrent updates without losing either change', async () => {
      const a = await tenantWith({})
      const results = await Promise.all([
        call('PUT', CONFIG, a.apiKey, { ...REQUIRED, theme: 'dark' }),
        call('PUT', CONFIG, a.apiKey, { ...REQUIRED, mode: 'chat' }),
        call('PUT', CONFIG, a.apiKey, { ...REQUIRED, accent_theme: 'amber' }),
      ])
      expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200])
      const body = (await call('GET', CONFIG, a.apiKey)).json()
      expect(body).toMatchObject({ theme: 'dark', mode: 'chat', accent_theme: 'amber' })
    })

    it('says which values an enum allows', async () => {
      const a = await tenantWith()
      const res = await call('PUT', CONFIG, a.apiKey, { ...REQUIRED, launcher_position: 'top' })
      expect(res.json()).toEqual({
        detail: [
          {
            type: 'literal_error',
            loc: ['body', 'launcher_position'],
            msg: "Input should be 'bottom-right' or 'bottom-left'",
          },
        ],
      })
    })

    it('reports every missing required field at once', async () => {
      const a = await tenantWith()
      const res = await call('PUT', CONFIG, a.apiKey, {})
      expect(res.statusCode).toBe(422)
      expect(res.json()).toEqual({
        detail: [
          { type: 'missing', loc: ['body', 'enabled'], msg: 'Field required' },
          { type: 'missing', loc: ['body', 'display_title'], msg: 'Field required' },
          { type: 'missing', loc: ['body', 'launcher_label'], msg: 'Field required' },
        ],
      })
    })

    it('answers malformed JSON with 400 {"detail"}, not 500', async () => {
      const a = await tenantWith()
      for (const payload of ['{"enabled": tru', '{', 'nope', '']) {
        const res = await f.t.app.inject({
          method: 'PUT',
          url: CONFIG,
          headers: { 'x-api-key': a.apiKey, 'content-type': 'application/json' },
          payload,
        })
        expect(res.statusCode, payload).toBe(400)
        expect(res.json()).toEqual({ detail: 'Malformed JSON body' })
      }
    })

    it('answers a non-JSON content type with 415 and an oversized body with 413', async () => {
      const a = await tenantWith()
      const text = await f.t.app.inject({
        method: 'PUT',
        url: CONFIG,
        headers: { 'x-api-key': a.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'enabled=true',
      })
      expect(text.statusCode).toBe(415)
      expect(text.json()).toEqual({ detail: 'Unsupported Content-Type' })
      const big = await call('PUT', CONFIG, a.apiKey, {
        ...REQUIRED,
        logo_url: 'x'.repeat(1_100_000),
      })
      expect(big.statusCode).toBe(413)
      expect(big.json()).toEqual({ detail: 'Request body too large' })
    })
  })
})
