import { describe, expect, it } from 'vitest'
import { forEachDialect } from '../../../test/helpers.ts'
import { findTenantById } from '../../tenants/tenant-repo.ts'

import { CONFIG, PNG_1PX, REQUIRED, svgUrl, useAdminConfigApp } from './admin-config-fixture.ts'

forEachDialect('admin voice-widget API: PUT /config refusals', (dialect) => {
  const f = useAdminConfigApp(dialect)
  const { call, tenantWith } = f

  describe('PUT /config: invalid bodies', () => {
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
      const before = (await findTenantById(f.t.db, a.tenantId))!
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
      const after = (await findTenantById(f.t.db, a.tenantId))!
      expect(after.config).toBe(before.config)
      expect(f.events).toEqual([])
    })
  })
})
