import { describe, expect, it } from 'vitest'
import {
  applyWidgetConfigUpdate,
  buildEmbedSnippet,
  checkLogoDataUrl,
  checkWidgetConfigUpdate,
  embedScriptUrl,
  MAX_LOGO_BYTES,
  normalizeOrigin,
  resolveWidgetConfig,
  WIDGET_CONFIG_DEFAULTS,
  type WidgetConfigUpdate,
} from './widget-config.ts'

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
)
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01])
const dataUrl = (type: string, bytes: Buffer | string) =>
  `data:${type};base64,${Buffer.from(bytes).toString('base64')}`
const svg = (inner: string) =>
  dataUrl(
    'image/svg+xml',
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">${inner}</svg>`,
  )

describe('normalizeOrigin', () => {
  it.each([
    ['https://example.com', 'https://example.com'],
    ['HTTPS://EXAMPLE.COM', 'https://example.com'],
    ['https://Example.com/', 'https://example.com'],
    ['https://example.com:443', 'https://example.com'],
    ['http://example.com:80', 'http://example.com'],
    ['https://example.com:8443', 'https://example.com:8443'],
    ['http://localhost:5173', 'http://localhost:5173'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
    ['  https://app.example.com  ', 'https://app.example.com'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
  ])('%s → %s', (input, want) => {
    expect(normalizeOrigin(input)).toEqual({ origin: want })
  })

  it.each([
    ['', /empty/],
    ['example.com', /scheme/],
    ['www.example.com:443', /scheme/],
    ['localhost:3000', /scheme/],
    ['//example.com', /scheme/],
    ['https://example.com/path', /path/],
    ['https://example.com/widget/', /path/],
    ['https://example.com?x=1', /query/],
    ['https://example.com/?x=1', /query/],
    ['https://example.com#top', /fragment/],
    ['https://user@example.com', /user info/],
    ['https://user:pw@example.com', /user info/],
    ['https://*.example.com', /Wildcard/],
    ['*', /Wildcard/],
    ['ftp://example.com', /http or https/],
    ['javascript://example.com', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['chrome-extension://abcdef', /http or https/],
    ['https://exa mple.com', /spaces/],
    ['https://example.com\\evil', /backslash/],
    ['https://exa\nmple.com', /control/],
    ['https://exa\tmple.com', /control/],
    ['https://', /valid URL|host/],
    ['https://example.com:99999', /valid URL/],
  ])('refuses %j', (input, why) => {
    const r = normalizeOrigin(input)
    expect(r).toHaveProperty('error')
    expect((r as { error: string }).error).toMatch(why)
  })
})

describe('checkLogoDataUrl', () => {
  it.each([
    ['PNG', dataUrl('image/png', PNG)],
    ['JPEG', dataUrl('image/jpeg', JPEG)],
    ['SVG', svg('<circle cx="5" cy="5" r="4" fill="#2563eb"/>')],
    [
      'SVG with internal references',
      svg(
        '<defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="10" height="10"/><use href="#g"/>',
      ),
    ],
    [
      'SVG with an embedded PNG',
      svg(`<image href="${dataUrl('image/png', PNG)}" width="10" height="10"/>`),
    ],
  ])('accepts a %s logo', (_name, url) => {
    expect(checkLogoDataUrl(url)).toBeUndefined()
  })

  it.each([
    ['a URL instead of a data URL', 'https://example.com/logo.png', /data URL/],
    ['a GIF', dataUrl('image/gif', 'GIF89a'), /data URL/],
    ['a non-base64 data URL', 'data:image/png,abc', /data URL/],
    ['broken base64', 'data:image/png;base64,@@@@', /base64/],
    ['empty data', 'data:image/png;base64,', /base64/],
    ['JPEG bytes labelled PNG', dataUrl('image/png', JPEG), /not a PNG/],
    ['PNG bytes labelled JPEG', dataUrl('image/jpeg', PNG), /not a JPEG/],
    ['HTML labelled PNG', dataUrl('image/png', '<html><script>alert(1)</script>'), /not a PNG/],
    ['HTML labelled SVG', dataUrl('image/svg+xml', '<html><body>hi</body></html>'), /not an SVG/],
    ['SVG with <script>', svg('<script>alert(1)</script>'), /script element/],
    ['SVG with onload=', svg('<rect onload="alert(1)"/>'), /event handler/],
    [
      'SVG with /onload= (not XML)',
      dataUrl('image/svg+xml', '<svg/onload=alert(1)>'),
      /not well-formed/,
    ],
    [
      'SVG with onload on the root',
      dataUrl('image/svg+xml', '<svg onload="alert(1)"/>'),
      /event handler/,
    ],
    ['SVG with ONCLICK', svg('<rect ONCLICK="x()"/>'), /event handler/],
    ['SVG with a javascript: link', svg('<a href="javascript:alert(1)"><rect/></a>'), /script URL/],
    [
      'SVG with an entity-encoded javascript: link',
      svg('<a href="&#106;avascript:alert(1)"><rect/></a>'),
      /script URL/,
    ],
    ['SVG with an external image', svg('<image href="https://evil.example/x.png"/>'), /external/],
    ['SVG with xlink:href to elsewhere', svg('<use xlink:href="other.svg#a"/>'), /external/],
    [
      'SVG with url() to elsewhere',
      svg('<rect style="fill:url(https://t.example/a)"/>'),
      /external/,
    ],
    ['SVG with foreignObject', svg('<foreignObject><div>x</div></foreignObject>'), /foreignObject/],
    ['SVG with an iframe', svg('<iframe src="x"/>'), /embedded/],
    [
      'SVG with a DOCTYPE',
      dataUrl('image/svg+xml', '<!DOCTYPE svg [<!ENTITY x "y">]><svg></svg>'),
      /DOCTYPE/,
    ],
    ['SVG animating an href', svg('<a><set attributeName="href" to="x"/></a>'), /animated link/],
    ['SVG with @import', svg('<style>@import "https://x.example/a.css";</style>'), /import/],
  ])('refuses %s', (_name, url, why) => {
    const err = checkLogoDataUrl(url)
    expect(err).toBeDefined()
    expect(err).toMatch(why)
  })

  it('refuses a logo over the size limit and accepts one at it', () => {
    const big = Buffer.alloc(MAX_LOGO_BYTES + 1)
    PNG.copy(big)
    expect(checkLogoDataUrl(dataUrl('image/png', big))).toMatch(/at most 256 KB/)
    expect(checkLogoDataUrl(dataUrl('image/png', big.subarray(0, MAX_LOGO_BYTES)))).toBeUndefined()
  })
})

const base: WidgetConfigUpdate = { enabled: true, display_title: 'Help', launcher_label: 'Chat' }

describe('checkWidgetConfigUpdate', () => {
  it('normalizes and de-duplicates origins, keeping their order', () => {
    const r = checkWidgetConfigUpdate({
      ...base,
      allowed_origins: [
        'https://B.example.com',
        'https://a.example.com:443',
        'https://b.example.com/',
        'https://a.example.com',
      ],
    })
    expect(r).toEqual({
      value: { ...base, allowed_origins: ['https://b.example.com', 'https://a.example.com'] },
    })
  })

  it('names every bad origin by index', () => {
    const r = checkWidgetConfigUpdate({
      ...base,
      allowed_origins: ['https://ok.example', 'example.com', 'https://x.example/p'],
    })
    expect('issues' in r && r.issues.map((i) => i.loc)).toEqual([
      ['body', 'allowed_origins', 1],
      ['body', 'allowed_origins', 2],
    ])
  })

  it.each([
    ['display_title', { display_title: '   ' }],
    ['launcher_label', { launcher_label: ' ' }],
    ['logo_url', { logo_url: 'data:image/png;base64,AAAA' }],
  ])('refuses a bad %s', (field, patch) => {
    const r = checkWidgetConfigUpdate({ ...base, ...patch })
    expect('issues' in r && r.issues[0]!.loc).toEqual(['body', field])
  })

  it('checks translation locales and blank required translations', () => {
    const r = checkWidgetConfigUpdate({
      ...base,
      display_title_translations: { de: 'Hilfe', 'pt-BR': 'Ajuda', 'not a locale': 'x', fr: ' ' },
      welcome_text_translations: { es: '' },
    })
    expect('issues' in r && r.issues.map((i) => i.loc)).toEqual([
      ['body', 'display_title_translations', 'not a locale'],
      ['body', 'display_title_translations', 'fr'],
    ])
  })

  it('accepts a null logo (reset)', () => {
    expect(checkWidgetConfigUpdate({ ...base, logo_url: null })).toEqual({
      value: { ...base, logo_url: null },
    })
  })
})

describe('applyWidgetConfigUpdate', () => {
  it('replaces given fields, keeps omitted ones, resets nulls to defaults, ignores unknown keys', () => {
    const current = {
      ...resolveWidgetConfig({}),
      welcome_text: 'Old welcome',
      primary_color: '#000000',
      allowed_origins: ['https://keep.example'],
    }
    const next = applyWidgetConfigUpdate(current, {
      ...base,
      primary_color: null,
      theme: 'dark',
      bogus: 1,
    } as WidgetConfigUpdate)
    expect(next.display_title).toBe('Help')
    expect(next.theme).toBe('dark')
    expect(next.welcome_text).toBe('Old welcome')
    expect(next.allowed_origins).toEqual(['https://keep.example'])
    expect(next.primary_color).toBe(WIDGET_CONFIG_DEFAULTS.primary_color)
    expect(next).not.toHaveProperty('bogus')
  })
})

describe('resolveWidgetConfig', () => {
  it('fills every default into partial or broken stored JSON', () => {
    expect(resolveWidgetConfig(null)).toEqual(WIDGET_CONFIG_DEFAULTS)
    expect(resolveWidgetConfig({ mode: 'chat' })).toEqual({
      ...WIDGET_CONFIG_DEFAULTS,
      mode: 'chat',
    })
    expect(WIDGET_CONFIG_DEFAULTS).toMatchObject({
      launcher_position: 'bottom-right',
      accent_theme: 'blue',
      theme: 'auto',
      mode: 'both',
      quick_actions_enabled: true,
    })
  })
})

describe('buildEmbedSnippet', () => {
  it("is the contract's bootstrap filled with this tenant's values", () => {
    const snippet = buildEmbedSnippet({
      tenantId: '11111111-2222-3333-4444-555555555555',
      publicKey: 'vwk_abcdefghijklmnopqrstuvwx',
      apiBaseUrl: 'https://apps.example.com/',
    })
    expect(snippet).toBe(`<script>
  (function () {
    window.AurionSettings = {
      appId: '11111111-2222-3333-4444-555555555555',
      publicKey: 'vwk_abcdefghijklmnopqrstuvwx',
      apiBaseUrl: 'https://apps.example.com',
    }
    var s = document.createElement('script')
    s.src = 'https://apps.example.com/api/v1/voice-widget/embed/aurion.js'
    s.async = true
    document.head.appendChild(s)
  })()
</script>`)
    expect(embedScriptUrl('https://apps.example.com/')).toBe(
      'https://apps.example.com/api/v1/voice-widget/embed/aurion.js',
    )
  })

  it('cannot be broken out of by hostile values', () => {
    const snippet = buildEmbedSnippet({
      tenantId: "x'</script><script>alert(1)//",
      publicKey: 'vwk_x',
      apiBaseUrl: 'https://a.example',
    })
    expect(snippet.match(/<\/script>/g)).toHaveLength(1)
    expect(snippet).not.toContain("x'<")
  })
})
