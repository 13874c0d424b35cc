import {
  buildEmbedSnippet,
  VoiceWidgetConfigResponse,
  WIDGET_CONFIG_DEFAULTS,
} from '@aurion/contract'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import type { Agent } from '../../agent/agent.ts'
import { createApiKey, revokeApiKey } from '../../auth/api-key-repo.ts'
import type { BusEvent } from '../../realtime/bus.ts'
import { createMemoryBus } from '../../realtime/memory-bus.ts'
import { findTenantById, findTenantByPublicKey } from '../../tenants/tenant-repo.ts'

const PUBLIC_URL = 'https://apps.example.com'
const CONFIG = '/api/v1/voice-widget/config'
const REGENERATE = '/api/v1/voice-widget/config/regenerate-key'
const ROTATE_SECRET = '/api/v1/voice-widget/config/rotate-identity-secret'
const READINESS = '/api/v1/voice-widget/ga-readiness'
const MISSING_WRITE = { detail: 'API key missing required scope: config:write' }
const MISSING_READ = { detail: 'API key missing required scope: config:read' }
const PUBLIC_KEY_RE = /^vwk_[0-9A-Za-z]{24}$/

/** The contract's "Update widget config" example body. */
const CONTRACT_EXAMPLE = {
  enabled: true,
  display_title: 'Support',
  launcher_label: 'Chat with us',
  welcome_text: 'Hi! How can I help you today?',
  launcher_position: 'bottom-right',
  accent_theme: 'blue',
  primary_color: '#6366F1',
  allowed_origins: ['https://example.com', 'https://app.example.com'],
}
const REQUIRED = { enabled: true, display_title: 'Support', launcher_label: 'Chat with us' }

const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
const svgUrl = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`

class FakeAgentState {
  result: { ok: boolean; reason: string | null } | Error = { ok: true, reason: null }
}
/** Only `check()` matters to readiness; the reply path belongs to the agent's own tests. */
function readinessAgent(state: FakeAgentState): Agent {
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

forEachDialect('admin voice-widget API', (dialect) => {
  let t: TestApp
  let events: BusEvent[]
  const agentState = new FakeAgentState()

  beforeAll(async () => {
    const bus = createMemoryBus()
    bus.subscribe((e) => events.push(e))
    t = await buildTestApp({
      dialect,
      env: { AURION_PUBLIC_URL: `${PUBLIC_URL}/` },
      deps: { bus, agent: readinessAgent(agentState) },
    })
  })
  afterAll(async () => t.close())
  beforeEach(() => {
    events = []
    agentState.result = { ok: true, reason: null }
  })

  const call = (
    method: 'GET' | 'PUT' | 'POST' | 'HEAD' | 'DELETE',
    url: string,
    key: string | undefined,
    payload?: unknown,
  ) =>
    t.app.inject({
      method,
      url,
      headers: key === undefined ? {} : { 'x-api-key': key },
      ...(payload === undefined ? {} : { payload: payload as object }),
    })

  const tenantWith = (config?: Record<string, unknown>, scopes?: string[]) =>
    createTestTenant(t.db, { ...(config ? { config } : {}), ...(scopes ? { scopes } : {}) })

  const keyWith = async (tenant: TestTenant, scopes: string[]) =>
    (await createApiKey(t.db, { tenantId: tenant.tenantId, scopes })).key

  describe('GET /config', () => {
    it('returns the full VoiceWidgetConfigResponse with every default, key, loader URL and snippet', async () => {
      const a = await tenantWith({})
      const res = await call('GET', CONFIG, a.apiKey)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      expect(res.headers['x-ratelimit-limit']).toBe('300')
      expect(res.headers['x-ratelimit-remaining']).toBe('299')
      const body = res.json()
      expect(Object.keys(body).sort()).toEqual(
        Object.keys(VoiceWidgetConfigResponse.properties).sort(),
      )
      const tenant = (await findTenantById(t.db, a.tenantId))!
      expect(body).toEqual({
        ...WIDGET_CONFIG_DEFAULTS,
        tenant_id: a.tenantId,
        public_widget_key: a.publicKey,
        embed_script_url: `${PUBLIC_URL}/api/v1/voice-widget/embed/aurion.js`,
        embed_snippet: buildEmbedSnippet({
          tenantId: a.tenantId,
          publicKey: a.publicKey,
          apiBaseUrl: PUBLIC_URL,
        }),
        updated_at: tenant.updated_at,
      })
      expect(body.public_widget_key).toMatch(PUBLIC_KEY_RE)
      expect(body.embed_snippet).toContain(`appId: '${a.tenantId}'`)
      expect(body.embed_snippet).toContain(`publicKey: '${a.publicKey}'`)
      expect(body.embed_snippet).toContain(`apiBaseUrl: '${PUBLIC_URL}'`)
    })

    it('accepts the key as a Bearer token too, and answers HEAD', async () => {
      const a = await tenantWith()
      const bearer = await t.app.inject({
        method: 'GET',
        url: CONFIG,
        headers: { authorization: `Bearer ${a.apiKey}` },
      })
      expect(bearer.statusCode).toBe(200)
      expect(bearer.json().tenant_id).toBe(a.tenantId)
      const head = await call('HEAD', CONFIG, a.apiKey)
      expect(head.statusCode).toBe(200)
      expect(head.body).toBe('')
    })
  })

  describe('authentication (401)', () => {
    it.each([
      ['no key', {}, 'Not authenticated'],
      ['an empty key', { 'x-api-key': '' }, 'Not authenticated'],
      [
        'an unknown key',
        { 'x-api-key': 'itsm_sk_live_000000000000000000000000000000000000' },
        'Invalid or revoked API key',
      ],
      ['garbage', { 'x-api-key': 'hello' }, 'Invalid or revoked API key'],
      [
        'an unknown Bearer key',
        { authorization: 'Bearer itsm_sk_live_nope' },
        'Invalid or revoked API key',
      ],
      ['a malformed Authorization header', { authorization: 'Basic abc' }, 'Not authenticated'],
      [
        'an unknown session token',
        { authorization: 'Bearer abc.def' },
        'Invalid or expired session',
      ],
    ])('refuses %s on every route', async (_name, headers, detail) => {
      for (const [method, url] of [
        ['GET', CONFIG],
        ['PUT', CONFIG],
        ['POST', REGENERATE],
        ['POST', ROTATE_SECRET],
        ['GET', READINESS],
      ] as const) {
        const res = await t.app.inject({ method, url, headers, payload: REQUIRED })
        expect(res.statusCode, `${method} ${url}`).toBe(401)
        expect(res.json()).toEqual({ detail })
        expect(res.headers['www-authenticate']).toBeDefined()
      }
    })

    it('refuses a revoked key at once', async () => {
      const a = await tenantWith()
      expect((await call('GET', CONFIG, a.apiKey)).statusCode).toBe(200)
      const [row] = await t.db
        .selectFrom('api_keys')
        .select('id')
        .where('tenant_id', '=', a.tenantId)
        .execute()
      await revokeApiKey(t.db, a.tenantId, row!.id)
      const res = await call('GET', CONFIG, a.apiKey)
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ detail: 'Invalid or revoked API key' })
      expect((await call('PUT', CONFIG, a.apiKey, REQUIRED)).statusCode).toBe(401)
    })
  })

  describe('required scopes (contract table)', () => {
    it('config:read reads but cannot write', async () => {
      const a = await tenantWith()
      const key = await keyWith(a, ['config:read'])
      expect((await call('GET', CONFIG, key)).statusCode).toBe(200)
      expect((await call('HEAD', CONFIG, key)).statusCode).toBe(200)
      expect((await call('GET', READINESS, key)).statusCode).toBe(200)
      for (const [method, url, body] of [
        ['PUT', CONFIG, REQUIRED],
        ['POST', REGENERATE, undefined],
        ['POST', ROTATE_SECRET, undefined],
      ] as const) {
        const res = await call(method, url, key, body)
        expect(res.statusCode, `${method} ${url}`).toBe(403)
        expect(res.json()).toEqual(MISSING_WRITE)
        expect(res.headers['content-type']).toMatch(/^application\/json/)
      }
      expect((await findTenantById(t.db, a.tenantId))!.public_widget_key).toBe(a.publicKey)
    })

    it('config:write writes but cannot read', async () => {
      const a = await tenantWith()
      const key = await keyWith(a, ['config:write'])
      expect((await call('PUT', CONFIG, key, REQUIRED)).statusCode).toBe(200)
      expect((await call('POST', REGENERATE, key)).statusCode).toBe(200)
      for (const url of [CONFIG, READINESS]) {
        const res = await call('GET', url, key)
        expect(res.statusCode).toBe(403)
        expect(res.json()).toEqual(MISSING_READ)
      }
      expect((await call('HEAD', CONFIG, key)).statusCode).toBe(403)
    })

    it('other scopes give no access to the config', async () => {
      const a = await tenantWith()
      const key = await keyWith(a, ['knowledge:read', 'knowledge:write', 'conversations:read'])
      expect((await call('GET', CONFIG, key)).json()).toEqual(MISSING_READ)
      expect((await call('PUT', CONFIG, key, REQUIRED)).json()).toEqual(MISSING_WRITE)
    })

    it('checks the scope before the body: a read-only key gets 403, not 422', async () => {
      const a = await tenantWith()
      const key = await keyWith(a, ['config:read'])
      const res = await call('PUT', CONFIG, key, { nonsense: true })
      expect(res.statusCode).toBe(403)
      expect(res.json()).toEqual(MISSING_WRITE)
    })
  })

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
      expect(events).toEqual([{ type: 'tenant.config_changed', tenantId: a.tenantId }])
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
      expect(events).toEqual([{ type: 'tenant.config_changed', tenantId: a.tenantId }])
      events = []
      await call('PUT', CONFIG, a.apiKey, { ...REQUIRED, enabled: false })
      expect(events).toEqual([
        { type: 'tenant.config_changed', tenantId: a.tenantId },
        { type: 'tenant.sockets_revoked', tenantId: a.tenantId, reason: 'widget_disabled' },
      ])
      events = []
      await call('PUT', CONFIG, a.apiKey, { ...REQUIRED, enabled: false })
      expect(events).toEqual([{ type: 'tenant.config_changed', tenantId: a.tenantId }])
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

    const long = (n: number) => 'x'.repeat(n)
    const origin = (o: unknown) => ({ allowed_origins: [o] })
    const cases: [string, Record<string, unknown>, (string | number)[], string][] = [
      ['enabled missing', { enabled: undefined }, ['body', 'enabled'], 'missing'],
      ['display_title missing', { display_title: undefined }, ['body', 'display_title'], 'missing'],
      [
        'launcher_label missing',
        { launcher_label: undefined },
        ['body', 'launcher_label'],
        'missing',
      ],
      ['enabled as a string', { enabled: 'true' }, ['body', 'enabled'], 'boolean_type'],
      ['enabled as null', { enabled: null }, ['body', 'enabled'], 'boolean_type'],
      ['display_title empty', { display_title: '' }, ['body', 'display_title'], 'string_too_short'],
      [
        'display_title blank',
        { display_title: '   ' },
        ['body', 'display_title'],
        'string_too_short',
      ],
      [
        'display_title 81 chars',
        { display_title: long(81) },
        ['body', 'display_title'],
        'string_too_long',
      ],
      ['display_title a number', { display_title: 5 }, ['body', 'display_title'], 'string_type'],
      [
        'launcher_label empty',
        { launcher_label: '' },
        ['body', 'launcher_label'],
        'string_too_short',
      ],
      [
        'launcher_label 41 chars',
        { launcher_label: long(41) },
        ['body', 'launcher_label'],
        'string_too_long',
      ],
      [
        'allowed_origins over 50',
        { allowed_origins: Array.from({ length: 51 }, (_, i) => `https://s${i}.example.com`) },
        ['body', 'allowed_origins'],
        'too_long',
      ],
      [
        'allowed_origins a string',
        { allowed_origins: 'https://example.com' },
        ['body', 'allowed_origins'],
        'array_type',
      ],
      ['an origin that is a number', origin(5), ['body', 'allowed_origins', 0], 'string_type'],
      [
        'an origin with a path',
        origin('https://example.com/shop'),
        ['body', 'allowed_origins', 0],
        'value_error',
      ],
      [
        'an origin with a query',
        origin('https://example.com?a=1'),
        ['body', 'allowed_origins', 0],
        'value_error',
      ],
      [
        'an origin with a fragment',
        origin('https://example.com#x'),
        ['body', 'allowed_origins', 0],
        'value_error',
      ],
      [
        'an origin with userinfo',
        origin('https://me@example.com'),
        ['body', 'allowed_origins', 0],
        'value_error',
      ],
      [
        'a wildcard origin',
        origin('https://*.example.com'),
        ['body', 'allowed_origins', 0],
        'value_error',
      ],
      ['a bare domain', origin('example.com'), ['body', 'allowed_origins', 0], 'value_error'],
      [
        'a non-http origin',
        origin('ftp://example.com'),
        ['body', 'allowed_origins', 0],
        'value_error',
      ],
      [
        'launcher_position unknown',
        { launcher_position: 'top-left' },
        ['body', 'launcher_position'],
        'literal_error',
      ],
      ['accent_theme unknown', { accent_theme: 'red' }, ['body', 'accent_theme'], 'literal_error'],
      ['theme unknown', { theme: 'sepia' }, ['body', 'theme'], 'literal_error'],
      ['mode unknown', { mode: 'video' }, ['body', 'mode'], 'literal_error'],
      [
        'primary_color a name',
        { primary_color: 'blue' },
        ['body', 'primary_color'],
        'string_pattern_mismatch',
      ],
      [
        'primary_color 5 digits',
        { primary_color: '#12345' },
        ['body', 'primary_color'],
        'string_pattern_mismatch',
      ],
      [
        'accent_color not hex',
        { accent_color: '#ggg' },
        ['body', 'accent_color'],
        'string_pattern_mismatch',
      ],
      [
        'welcome_text 121 chars',
        { welcome_text: long(121) },
        ['body', 'welcome_text'],
        'string_too_long',
      ],
      ['welcome_text a number', { welcome_text: 1 }, ['body', 'welcome_text'], 'string_type'],
      [
        'launcher_bubble_message 81 chars',
        { launcher_bubble_message: long(81) },
        ['body', 'launcher_bubble_message'],
        'string_too_long',
      ],
      [
        'logo_url a web URL',
        { logo_url: 'https://example.com/logo.png' },
        ['body', 'logo_url'],
        'value_error',
      ],
      [
        'logo_url SVG with <script>',
        {
          logo_url: svgUrl(
            '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
          ),
        },
        ['body', 'logo_url'],
        'value_error',
      ],
      [
        'logo_url SVG with onload=',
        { logo_url: svgUrl('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>') },
        ['body', 'logo_url'],
        'value_error',
      ],
      [
        'logo_url with the wrong magic bytes',
        { logo_url: `data:image/png;base64,${Buffer.from('GIF89a....').toString('base64')}` },
        ['body', 'logo_url'],
        'value_error',
      ],
      [
        'logo_url over 256 KB',
        {
          logo_url: `data:image/png;base64,${Buffer.concat([Buffer.from(PNG_1PX, 'base64'), Buffer.alloc(300 * 1024)]).toString('base64')}`,
        },
        ['body', 'logo_url'],
        'value_error',
      ],
      [
        'show_powered_by a string',
        { show_powered_by: 'yes' },
        ['body', 'show_powered_by'],
        'boolean_type',
      ],
      [
        'sso_auto_login a number',
        { sso_auto_login: 1 },
        ['body', 'sso_auto_login'],
        'boolean_type',
      ],
      [
        'quick_actions_enabled null',
        { quick_actions_enabled: null },
        ['body', 'quick_actions_enabled'],
        'boolean_type',
      ],
      [
        'a display_title translation over 80',
        { display_title_translations: { de: long(81) } },
        ['body', 'display_title_translations', 'de'],
        'string_too_long',
      ],
      [
        'a launcher_label translation over 40',
        { launcher_label_translations: { de: long(41) } },
        ['body', 'launcher_label_translations', 'de'],
        'string_too_long',
      ],
      [
        'a welcome_text translation over 120',
        { welcome_text_translations: { fr: long(121) } },
        ['body', 'welcome_text_translations', 'fr'],
        'string_too_long',
      ],
      [
        'a launcher_bubble_message translation over 80',
        { launcher_bubble_message_translations: { es: long(81) } },
        ['body', 'launcher_bubble_message_translations', 'es'],
        'string_too_long',
      ],
      [
        'a translation keyed by a non-locale',
        { display_title_translations: { 'english!': 'Help' } },
        ['body', 'display_title_translations', 'english!'],
        'value_error',
      ],
      [
        'a blank required translation',
        { launcher_label_translations: { de: '  ' } },
        ['body', 'launcher_label_translations', 'de'],
        'string_too_short',
      ],
      [
        'translations not a map',
        { welcome_text_translations: 'Hallo' },
        ['body', 'welcome_text_translations'],
        'object_type',
      ],
      ['a body that is a list', { __raw: [] }, ['body'], 'object_type'],
    ]

    it.each(cases)('422 for %s, naming the field', async (_name, patch, loc, type) => {
      const a = await tenantWith({
        display_title: 'Before',
        allowed_origins: ['https://keep.example'],
      })
      const before = (await findTenantById(t.db, a.tenantId))!
      const payload = '__raw' in patch ? patch.__raw : { ...REQUIRED, ...patch }
      const res = await call('PUT', CONFIG, a.apiKey, payload)
      expect(res.statusCode).toBe(422)
      const body = res.json() as { detail: { type: string; loc: unknown[]; msg: string }[] }
      expect(Array.isArray(body.detail)).toBe(true)
      const issue = body.detail.find((d) => JSON.stringify(d.loc) === JSON.stringify(loc))
      expect(issue, JSON.stringify(body.detail)).toBeDefined()
      expect(issue!.type).toBe(type)
      expect(issue!.msg.length).toBeGreaterThan(5)
      for (const d of body.detail) expect(Object.keys(d).sort()).toEqual(['loc', 'msg', 'type'])
      const after = (await findTenantById(t.db, a.tenantId))!
      expect(after.config).toBe(before.config)
      expect(events).toEqual([])
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
        const res = await t.app.inject({
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
      const text = await t.app.inject({
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

  describe('POST /config/regenerate-key', () => {
    it('issues a new key and snippet; the old key stops working at once', async () => {
      const a = await tenantWith()
      const res = await call('POST', REGENERATE, a.apiKey)
      expect(res.statusCode).toBe(200)
      expect(res.headers['x-ratelimit-limit']).toBe('300')
      const body = res.json()
      expect(Object.keys(body).sort()).toEqual(['embed_snippet', 'public_widget_key'])
      expect(body.public_widget_key).toMatch(PUBLIC_KEY_RE)
      expect(body.public_widget_key).not.toBe(a.publicKey)
      expect(body.embed_snippet).toBe(
        buildEmbedSnippet({
          tenantId: a.tenantId,
          publicKey: body.public_widget_key,
          apiBaseUrl: PUBLIC_URL,
        }),
      )
      expect(await findTenantByPublicKey(t.db, a.publicKey)).toBeUndefined()
      expect((await findTenantByPublicKey(t.db, body.public_widget_key))?.id).toBe(a.tenantId)
      expect((await call('GET', CONFIG, a.apiKey)).json().public_widget_key).toBe(
        body.public_widget_key,
      )
      expect(events).toEqual([
        { type: 'tenant.config_changed', tenantId: a.tenantId },
        { type: 'tenant.sockets_revoked', tenantId: a.tenantId, reason: 'key_regenerated' },
      ])
    })

    it('keeps the admin API key and the rest of the config', async () => {
      const a = await tenantWith()
      await call('PUT', CONFIG, a.apiKey, CONTRACT_EXAMPLE)
      const first = (await call('POST', REGENERATE, a.apiKey)).json().public_widget_key
      const second = (await call('POST', REGENERATE, a.apiKey)).json().public_widget_key
      expect(second).not.toBe(first)
      expect((await call('GET', CONFIG, a.apiKey)).json()).toMatchObject({
        ...CONTRACT_EXAMPLE,
        public_widget_key: second,
      })
    })
  })

  describe('POST /config/rotate-identity-secret', () => {
    it('replaces the identity secret and shows the new one this once', async () => {
      const a = await tenantWith()
      const before = (await findTenantById(t.db, a.tenantId))!.identity_secret
      const res = await call('POST', ROTATE_SECRET, a.apiKey)
      expect(res.statusCode).toBe(200)
      const { identity_secret } = res.json()
      expect(identity_secret).toMatch(/^[0-9a-f]{64}$/)
      expect(identity_secret).not.toBe(before)
      expect((await findTenantById(t.db, a.tenantId))!.identity_secret).toBe(identity_secret)
      const after = await call('GET', CONFIG, a.apiKey)
      expect(after.json()).not.toHaveProperty('identity_secret')
      expect(after.body).not.toContain(identity_secret)
      expect(events).toEqual([{ type: 'tenant.config_changed', tenantId: a.tenantId }])
    })

    // The attack: a read-only key (a dashboard embed, a CI job) reads the secret from GET /config,
    // computes user_hash for any email and signs in as that visitor.
    it('never lets a config:read key see or take the secret', async () => {
      const a = await tenantWith()
      const reader = await keyWith(a, ['config:read'])
      const secret = (await findTenantById(t.db, a.tenantId))!.identity_secret
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await call(method, CONFIG, reader)
        expect(res.statusCode).toBe(200)
        expect(res.body).not.toContain(secret)
      }
      const read = await call('GET', CONFIG, reader)
      expect(read.json()).not.toHaveProperty('identity_secret')
      const rotate = await call('POST', ROTATE_SECRET, reader)
      expect(rotate.statusCode).toBe(403)
      expect(rotate.json()).toEqual({ detail: 'API key missing required scope: config:write' })
      expect((await findTenantById(t.db, a.tenantId))!.identity_secret).toBe(secret)
    })
  })

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

  describe('tenant isolation', () => {
    it("tenant A's key never reads or changes tenant B", async () => {
      const a = await tenantWith({
        display_title: 'A title',
        allowed_origins: ['https://a.example'],
      })
      const b = await tenantWith({
        display_title: 'B title',
        allowed_origins: ['https://b.example'],
      })
      const bBefore = (await findTenantById(t.db, b.tenantId))!

      const got = (await call('GET', CONFIG, a.apiKey)).json()
      expect(got.tenant_id).toBe(a.tenantId)
      expect(got.display_title).toBe('A title')
      expect(JSON.stringify(got)).not.toContain(b.publicKey)
      expect(JSON.stringify(got)).not.toContain(bBefore.identity_secret)

      // Naming the other tenant anywhere in the request changes nothing: the key decides.
      for (const url of [`${CONFIG}?tenant_id=${b.tenantId}`, CONFIG]) {
        const put = await t.app.inject({
          method: 'PUT',
          url,
          headers: { 'x-api-key': a.apiKey, 'x-tenant-id': b.tenantId },
          payload: { ...REQUIRED, tenant_id: b.tenantId, display_title: 'Hijacked' },
        })
        expect(put.statusCode).toBe(200)
        expect(put.json().tenant_id).toBe(a.tenantId)
      }
      await call('POST', REGENERATE, a.apiKey)
      await call('POST', ROTATE_SECRET, a.apiKey)

      const bAfter = (await findTenantById(t.db, b.tenantId))!
      expect(bAfter).toEqual(bBefore)
      expect((await call('GET', CONFIG, b.apiKey)).json()).toMatchObject({
        tenant_id: b.tenantId,
        display_title: 'B title',
        public_widget_key: b.publicKey,
      })
      expect(events.every((e) => e.tenantId === a.tenantId)).toBe(true)
    })
  })

  describe('rate limit: 300 requests/minute per API key', () => {
    it('refuses the 301st request with the exact headers and body', async () => {
      const a = await tenantWith()
      const other = await keyWith(a, ['config:read'])
      for (let i = 1; i <= 300; i++) {
        // Every API-key route draws from the same per-key budget.
        const url = i % 3 === 0 ? READINESS : CONFIG
        const res = await call('GET', url, a.apiKey)
        expect(res.statusCode).toBe(200)
        expect(res.headers['x-ratelimit-limit']).toBe('300')
        expect(res.headers['x-ratelimit-remaining']).toBe(String(300 - i))
      }
      for (const [method, url] of [
        ['GET', CONFIG],
        ['PUT', CONFIG],
        ['POST', REGENERATE],
      ] as const) {
        const res = await call(method, url, a.apiKey, method === 'PUT' ? REQUIRED : undefined)
        expect(res.statusCode).toBe(429)
        expect(res.json()).toEqual({ detail: 'API key rate limit exceeded', limit: 300 })
        expect(res.headers['x-ratelimit-limit']).toBe('300')
        expect(res.headers['x-ratelimit-remaining']).toBe('0')
        const retry = Number(res.headers['retry-after'])
        expect(Number.isInteger(retry)).toBe(true)
        expect(retry).toBeGreaterThanOrEqual(1)
        expect(retry).toBeLessThanOrEqual(60)
      }
      // The refused PUT/POST changed nothing.
      expect((await findTenantById(t.db, a.tenantId))!.public_widget_key).toBe(a.publicKey)
      // The limit is per key: another key of the same tenant still works.
      const res = await call('GET', CONFIG, other)
      expect(res.statusCode).toBe(200)
      expect(res.headers['x-ratelimit-remaining']).toBe('299')
    })
  })

  describe('OpenAPI', () => {
    it('documents the admin routes with their schemas', async () => {
      const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
      const config = doc.paths['/api/v1/voice-widget/config']
      expect(Object.keys(config)).toEqual(expect.arrayContaining(['get', 'put']))
      const okSchema = config.get.responses['200'].content['application/json'].schema
      expect(Object.keys(okSchema.properties)).toEqual(
        expect.arrayContaining([
          'public_widget_key',
          'embed_script_url',
          'embed_snippet',
          'allowed_origins',
        ]),
      )
      expect(config.put.requestBody.content['application/json'].schema.required).toEqual([
        'enabled',
        'display_title',
        'launcher_label',
      ])
      expect(config.get.responses['403']).toBeDefined()
      expect(config.get.responses['429']).toBeDefined()
      expect(config.get.security).toEqual([{ ApiKey: [] }, { Session: [] }])
      expect(doc.paths['/api/v1/voice-widget/config/regenerate-key'].post).toBeDefined()
      expect(doc.paths['/api/v1/voice-widget/config/rotate-identity-secret'].post).toBeDefined()
      const ga = doc.paths['/api/v1/voice-widget/ga-readiness'].get
      expect(ga.responses['200'].content['application/json'].schema.required).toEqual([
        'ready',
        'failed_checks',
        'checks',
      ])
    })

    it('serves browsable docs at /docs', async () => {
      let res = await t.app.inject({ method: 'GET', url: '/docs' })
      if (res.statusCode >= 300 && res.statusCode < 400) {
        res = await t.app.inject({
          method: 'GET',
          url: new URL(res.headers.location!, 'http://x/docs/').pathname,
        })
      }
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toMatch(/text\/html/)
      expect(res.body).toMatch(/swagger/i)
    })
  })
})
