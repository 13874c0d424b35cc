import { type Static, Type } from '@sinclair/typebox'

/** One FastAPI-style validation problem (same shape as the server's 422 items). */
export interface ConfigIssue {
  type: string
  loc: (string | number)[]
  msg: string
}

export const LAUNCHER_POSITIONS = ['bottom-right', 'bottom-left'] as const
export const ACCENT_THEMES = ['blue', 'emerald', 'amber', 'slate'] as const
export const THEMES = ['light', 'dark', 'auto'] as const
export const MODES = ['chat', 'voice', 'both'] as const
export const TRANSLATABLE_FIELDS = [
  'display_title',
  'launcher_label',
  'welcome_text',
  'launcher_bubble_message',
] as const
export type TranslatableField = (typeof TRANSLATABLE_FIELDS)[number]

export const MAX_ALLOWED_ORIGINS = 50
/** Decoded bytes of a logo data URL. */
export const MAX_LOGO_BYTES = 256 * 1024
/**
 * Upper bound on the data URL's length: room for an image somewhat over the limit, so the answer
 * says "at most 256 KB" instead of a character count; the 1 MB body limit still applies.
 */
export const MAX_LOGO_DATA_URL_CHARS = 600_000
export const MAX_QUICK_ACTIONS = 6
export const MAX_TRANSLATION_LOCALES = 50

/** Length limits of each text field; translations share them. */
export const TEXT_LIMITS: Record<TranslatableField, { min: number; max: number }> = {
  display_title: { min: 1, max: 80 },
  launcher_label: { min: 1, max: 40 },
  welcome_text: { min: 0, max: 120 },
  launcher_bubble_message: { min: 0, max: 80 },
}

const HEX_COLOR = '^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$'
const nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()])
const translations = (field: TranslatableField) =>
  Type.Record(Type.String(), Type.String({ maxLength: TEXT_LIMITS[field].max }), {
    maxProperties: MAX_TRANSLATION_LOCALES,
    description: `Per-locale ${field}, keyed by BCP-47 locale (e.g. "de", "pt-BR")`,
  })

/** Body of `PUT /api/v1/voice-widget/config`. Unknown fields are ignored; wrong types are 422. */
export const WidgetConfigUpdate = Type.Object({
  enabled: Type.Boolean(),
  display_title: Type.String({ minLength: 1, maxLength: 80 }),
  launcher_label: Type.String({ minLength: 1, maxLength: 40 }),
  allowed_origins: Type.Optional(
    Type.Array(Type.String({ maxLength: 300 }), {
      maxItems: MAX_ALLOWED_ORIGINS,
      description:
        'Full normalized origins (scheme://host[:port], no path), e.g. https://example.com',
    }),
  ),
  launcher_position: Type.Optional(Type.Union(LAUNCHER_POSITIONS.map((v) => Type.Literal(v)))),
  accent_theme: Type.Optional(Type.Union(ACCENT_THEMES.map((v) => Type.Literal(v)))),
  primary_color: Type.Optional(nullable(Type.String({ pattern: HEX_COLOR }))),
  accent_color: Type.Optional(nullable(Type.String({ pattern: HEX_COLOR }))),
  welcome_text: Type.Optional(nullable(Type.String({ maxLength: 120 }))),
  launcher_bubble_message: Type.Optional(nullable(Type.String({ maxLength: 80 }))),
  logo_url: Type.Optional(
    nullable(
      Type.String({
        maxLength: MAX_LOGO_DATA_URL_CHARS,
        description: `data URL: PNG / JPEG / SVG, base64, at most ${MAX_LOGO_BYTES / 1024} KB decoded`,
      }),
    ),
  ),
  show_powered_by: Type.Optional(Type.Boolean()),
  sso_auto_login: Type.Optional(Type.Boolean()),
  theme: Type.Optional(Type.Union(THEMES.map((v) => Type.Literal(v)))),
  quick_actions_enabled: Type.Optional(Type.Boolean()),
  quick_actions: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 80 }), {
      maxItems: MAX_QUICK_ACTIONS,
      description: 'Suggested first questions shown when quick actions are enabled',
    }),
  ),
  mode: Type.Optional(Type.Union(MODES.map((v) => Type.Literal(v)))),
  display_title_translations: Type.Optional(translations('display_title')),
  launcher_label_translations: Type.Optional(translations('launcher_label')),
  welcome_text_translations: Type.Optional(translations('welcome_text')),
  launcher_bubble_message_translations: Type.Optional(translations('launcher_bubble_message')),
  identity_verification_required: Type.Optional(
    Type.Boolean({
      description: 'Require user_hash = HMAC-SHA256(email, identity_secret) on /widget/session',
    }),
  ),
  voice_auth_enabled: Type.Optional(
    Type.Boolean({
      description:
        'When false, a self-asserted user_email matching an existing contact is pre-authenticated for voice',
    }),
  ),
  agent_instructions: Type.Optional(
    nullable(
      Type.String({
        maxLength: 4000,
        description: 'Extra instructions for the AI agent (system prompt extension)',
      }),
    ),
  ),
})
export type WidgetConfigUpdate = Static<typeof WidgetConfigUpdate>

/** The stored config with every default applied. */
export interface WidgetConfig {
  enabled: boolean
  display_title: string
  launcher_label: string
  allowed_origins: string[]
  launcher_position: (typeof LAUNCHER_POSITIONS)[number]
  accent_theme: (typeof ACCENT_THEMES)[number]
  primary_color: string | null
  accent_color: string | null
  welcome_text: string | null
  launcher_bubble_message: string | null
  logo_url: string | null
  show_powered_by: boolean
  sso_auto_login: boolean
  theme: (typeof THEMES)[number]
  quick_actions_enabled: boolean
  quick_actions: string[]
  mode: (typeof MODES)[number]
  display_title_translations: Record<string, string>
  launcher_label_translations: Record<string, string>
  welcome_text_translations: Record<string, string>
  launcher_bubble_message_translations: Record<string, string>
  identity_verification_required: boolean
  voice_auth_enabled: boolean
  agent_instructions: string | null
}

export const WIDGET_CONFIG_DEFAULTS: Readonly<WidgetConfig> = Object.freeze({
  enabled: true,
  display_title: 'Support',
  launcher_label: 'Chat with us',
  allowed_origins: [],
  launcher_position: 'bottom-right',
  accent_theme: 'blue',
  primary_color: null,
  accent_color: null,
  welcome_text: 'Hi! How can I help you today?',
  launcher_bubble_message: null,
  logo_url: null,
  show_powered_by: true,
  sso_auto_login: false,
  theme: 'auto',
  quick_actions_enabled: true,
  quick_actions: [
    'How do I reset my password?',
    'How do I connect to the VPN?',
    'Set up multi-factor authentication',
  ],
  mode: 'both',
  display_title_translations: {},
  launcher_label_translations: {},
  welcome_text_translations: {},
  launcher_bubble_message_translations: {},
  identity_verification_required: false,
  voice_auth_enabled: true,
  agent_instructions: null,
})

/** Stored JSON (possibly partial, from an older version) → a complete config. */
export function resolveWidgetConfig(stored: unknown): WidgetConfig {
  const s = stored && typeof stored === 'object' ? (stored as Partial<WidgetConfig>) : {}
  const out = { ...WIDGET_CONFIG_DEFAULTS } as Record<string, unknown>
  for (const key of Object.keys(WIDGET_CONFIG_DEFAULTS)) {
    const v = (s as Record<string, unknown>)[key]
    if (v !== undefined) out[key] = v
  }
  return out as unknown as WidgetConfig
}

const nullableString = (description?: string) =>
  Type.Union([Type.String(), Type.Null()], description ? { description } : {})
const stringMap = (description: string) =>
  Type.Record(Type.String(), Type.String(), { description })

/** `GET /api/v1/voice-widget/config` → VoiceWidgetConfigResponse: every field with its default. */
export const VoiceWidgetConfigResponse = Type.Object({
  tenant_id: Type.String({ description: "Tenant UUID: the snippet's `appId`" }),
  public_widget_key: Type.String({
    description: "Public widget key (`vwk_` + 24 base62): the snippet's `publicKey`; not a secret",
  }),
  embed_script_url: Type.String({ description: 'URL of the loader script `aurion.js`' }),
  embed_snippet: Type.String({ description: 'Inline bootstrap snippet, ready to paste' }),
  identity_secret: Type.String({
    description: 'Secret for identity verification: user_hash = HMAC-SHA256(email, secret), hex',
  }),
  updated_at: Type.String({ description: 'When the configuration last changed (ISO 8601)' }),
  enabled: Type.Boolean(),
  display_title: Type.String(),
  launcher_label: Type.String(),
  allowed_origins: Type.Array(Type.String()),
  launcher_position: Type.Union(LAUNCHER_POSITIONS.map((v) => Type.Literal(v))),
  accent_theme: Type.Union(ACCENT_THEMES.map((v) => Type.Literal(v))),
  primary_color: nullableString(),
  accent_color: nullableString(),
  welcome_text: nullableString(),
  launcher_bubble_message: nullableString(),
  logo_url: nullableString('data URL of the logo'),
  show_powered_by: Type.Boolean(),
  sso_auto_login: Type.Boolean(),
  theme: Type.Union(THEMES.map((v) => Type.Literal(v))),
  quick_actions_enabled: Type.Boolean(),
  quick_actions: Type.Array(Type.String()),
  mode: Type.Union(MODES.map((v) => Type.Literal(v))),
  display_title_translations: stringMap('display_title per BCP-47 locale'),
  launcher_label_translations: stringMap('launcher_label per BCP-47 locale'),
  welcome_text_translations: stringMap('welcome_text per BCP-47 locale'),
  launcher_bubble_message_translations: stringMap('launcher_bubble_message per BCP-47 locale'),
  identity_verification_required: Type.Boolean(),
  voice_auth_enabled: Type.Boolean(),
  agent_instructions: nullableString(),
})
export type VoiceWidgetConfigResponse = Static<typeof VoiceWidgetConfigResponse>

/** Fields of the public embed config (`POST /voice-widget/embed/config`): never keys or secrets. */
export const PUBLIC_CONFIG_FIELDS = [
  'display_title',
  'welcome_text',
  'launcher_label',
  'launcher_position',
  'accent_theme',
  'primary_color',
  'accent_color',
  'logo_url',
  'show_powered_by',
  'mode',
  'theme',
  'launcher_bubble_message',
  'quick_actions_enabled',
  'quick_actions',
  'sso_auto_login',
  'identity_verification_required',
  'display_title_translations',
  'launcher_label_translations',
  'welcome_text_translations',
  'launcher_bubble_message_translations',
] as const satisfies readonly (keyof WidgetConfig)[]

export type PublicWidgetConfig = Pick<WidgetConfig, (typeof PUBLIC_CONFIG_FIELDS)[number]> & {
  /** Whether the server can issue LiveKit tokens; otherwise the widget may use the Web Speech API. */
  voice_available: boolean
}

export function toPublicConfig(config: WidgetConfig, voiceAvailable: boolean): PublicWidgetConfig {
  const out: Record<string, unknown> = {}
  for (const k of PUBLIC_CONFIG_FIELDS) out[k] = config[k]
  out.voice_available = voiceAvailable
  return out as PublicWidgetConfig
}

/**
 * Normalizes an origin to `scheme://host[:port]` (lower-case, default port dropped, IDN in
 * punycode). Returns an error message instead when it is not a full http(s) origin.
 */
export function normalizeOrigin(input: string): { origin: string } | { error: string } {
  const raw = input.trim()
  if (raw === '') return { error: 'Origin must not be empty' }
  if (raw.includes('*')) {
    return { error: 'Wildcards are not allowed; list each origin (scheme://host[:port])' }
  }
  // The URL parser silently drops tabs/newlines and reads "\\" as "/": refuse both instead of
  // storing something other than what the admin typed.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\s\u0000-\u001f\u007f\\]/.test(raw)) {
    return { error: 'Origin must not contain spaces, control characters or backslashes' }
  }
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(raw)) {
    return {
      error:
        'Origin must be a full origin with a scheme, e.g. https://example.com (not a bare domain)',
    }
  }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { error: 'Origin is not a valid URL' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { error: 'Origin must use http or https' }
  }
  if (url.username !== '' || url.password !== '' || raw.includes('@')) {
    return { error: 'Origin must not contain user info' }
  }
  if (url.search !== '' || raw.includes('?')) {
    return { error: 'Origin must not contain a query string' }
  }
  if (url.hash !== '' || raw.includes('#')) return { error: 'Origin must not contain a fragment' }
  const afterHost = raw.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/, '')
  if (afterHost !== '' && afterHost !== '/') {
    return { error: 'Origin must not contain a path (use scheme://host[:port])' }
  }
  if (url.hostname === '') return { error: 'Origin must have a host' }
  return { origin: url.origin.toLowerCase() }
}

const LOCALE_RE = /^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$/

const SVG_FORBIDDEN: [RegExp, string][] = [
  [/<!DOCTYPE|<!ENTITY/i, 'DOCTYPE or entity declaration'],
  [/<\s*script\b/i, 'script element'],
  [/[\s/"':]on[a-z]+\s*=/i, 'event handler attribute'],
  [/(?:java|vb)script\s*:/i, 'script URL'],
  [/<\s*foreignObject\b/i, 'foreignObject element'],
  [/<\s*(?:iframe|embed|object|audio|video|handler|listener)\b/i, 'embedded content'],
  [
    /<\s*(?:set|animate\w*)\b[^>]*attributeName\s*=\s*["']?\s*(?:on|href|xlink:href)/i,
    'animated link',
  ],
  [/@import/i, 'stylesheet import'],
]

/** What an `href`/`url()` inside a logo may point at: a fragment or an embedded raster image. */
const SVG_SAFE_REF = /^(?:#|data:image\/(?:png|jpeg|gif|webp);base64,)/i

/** `&#106;` and `&#x6A;` hide text from naive scans; decode them before looking. */
function decodeCharRefs(text: string): string {
  const char = (code: number) =>
    Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ''
  return text
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => char(Number.parseInt(hex, 16)))
    .replace(/&#([0-9]+);?/g, (_, dec: string) => char(Number.parseInt(dec, 10)))
}

/** Why an SVG document is unsafe to show, or undefined when it holds only passive content. */
function svgProblem(source: string): string | undefined {
  const texts = [source, decodeCharRefs(source)]
  for (const [re, what] of SVG_FORBIDDEN) {
    if (texts.some((t) => re.test(t))) return what
  }
  for (const text of texts) {
    const refs = [
      ...text.matchAll(/\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi),
      ...text.matchAll(/\burl\s*\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))\s*\)/gi),
    ]
    for (const m of refs) {
      const ref = (m[1] ?? m[2] ?? m[3] ?? '').trim()
      if (!SVG_SAFE_REF.test(ref)) return 'external reference'
    }
  }
  return undefined
}

function decodeBase64(b64: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined
  try {
    const bin = atob(b64)
    const out = new Uint8Array(bin.length)
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
    return out
  } catch {
    return undefined
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff]
const startsWith = (bytes: Uint8Array, sig: number[]) => sig.every((b, i) => bytes[i] === b)

/**
 * Checks a logo data URL: PNG/JPEG/SVG, base64, at most {@link MAX_LOGO_BYTES}, bytes matching
 * the declared type, and an SVG free of scripts, event handlers and external references.
 * Returns the problem, or undefined when the logo is acceptable.
 */
export function checkLogoDataUrl(value: string): string | undefined {
  const m = /^data:(image\/png|image\/jpeg|image\/svg\+xml);base64,(.*)$/s.exec(value)
  if (!m) {
    return 'logo_url must be a base64 data URL of a PNG, JPEG or SVG image (data:image/png;base64,…)'
  }
  const bytes = decodeBase64(m[2]!.replace(/\s+/g, ''))
  if (!bytes || bytes.length === 0) return 'logo_url has invalid base64 data'
  if (bytes.length > MAX_LOGO_BYTES) {
    return `logo_url image must be at most ${MAX_LOGO_BYTES / 1024} KB`
  }
  const type = m[1]
  if (type === 'image/png' && !startsWith(bytes, PNG_SIGNATURE)) {
    return 'logo_url data is not a PNG image'
  }
  if (type === 'image/jpeg' && !startsWith(bytes, JPEG_SIGNATURE)) {
    return 'logo_url data is not a JPEG image'
  }
  if (type === 'image/svg+xml') {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
    if (!/<svg[\s/>]/i.test(text)) return 'logo_url data is not an SVG image'
    const problem = svgProblem(text)
    if (problem) return `logo_url SVG must not contain active content (${problem})`
  }
  return undefined
}

/**
 * The checks JSON Schema cannot express: origins, logo, translation locales and lengths.
 * Returns the normalized update (origins normalized and de-duplicated) or the issues found.
 */
export function checkWidgetConfigUpdate(
  update: WidgetConfigUpdate,
): { value: WidgetConfigUpdate } | { issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = []
  const value: WidgetConfigUpdate = { ...update }
  if (update.allowed_origins !== undefined) {
    const seen = new Set<string>()
    update.allowed_origins.forEach((o, i) => {
      const r = normalizeOrigin(o)
      if ('error' in r)
        issues.push({ type: 'value_error', loc: ['body', 'allowed_origins', i], msg: r.error })
      else seen.add(r.origin)
    })
    value.allowed_origins = [...seen]
  }
  if (update.display_title.trim() === '') {
    issues.push({
      type: 'string_too_short',
      loc: ['body', 'display_title'],
      msg: 'display_title must not be blank',
    })
  }
  if (update.launcher_label.trim() === '') {
    issues.push({
      type: 'string_too_short',
      loc: ['body', 'launcher_label'],
      msg: 'launcher_label must not be blank',
    })
  }
  if (typeof update.logo_url === 'string') {
    const err = checkLogoDataUrl(update.logo_url)
    if (err) issues.push({ type: 'value_error', loc: ['body', 'logo_url'], msg: err })
  }
  for (const field of TRANSLATABLE_FIELDS) {
    const key = `${field}_translations` as const
    const map = update[key]
    if (!map) continue
    for (const [locale, text] of Object.entries(map)) {
      if (!LOCALE_RE.test(locale)) {
        issues.push({
          type: 'value_error',
          loc: ['body', key, locale],
          msg: `"${locale}" is not a BCP-47 locale such as "de" or "pt-BR"`,
        })
      } else if (
        text.length < TEXT_LIMITS[field].min ||
        (TEXT_LIMITS[field].min > 0 && text.trim() === '')
      ) {
        issues.push({
          type: 'string_too_short',
          loc: ['body', key, locale],
          msg: `String should have at least ${TEXT_LIMITS[field].min} character`,
        })
      }
    }
  }
  return issues.length > 0 ? { issues } : { value }
}

/** PUT semantics: required fields replace; omitted optional fields keep their value; `null` resets to the default. */
export function applyWidgetConfigUpdate(
  current: WidgetConfig,
  update: WidgetConfigUpdate,
): WidgetConfig {
  const next = { ...current } as Record<string, unknown>
  for (const [k, v] of Object.entries(update)) {
    if (!(k in WIDGET_CONFIG_DEFAULTS) || v === undefined) continue
    next[k] = v === null ? (WIDGET_CONFIG_DEFAULTS as unknown as Record<string, unknown>)[k] : v
  }
  return next as unknown as WidgetConfig
}

/** Picks the translation for `locale` (exact, then language only), else the base text. */
export function translate(
  base: string | null,
  map: Record<string, string>,
  locale: string | undefined,
): string | null {
  if (!locale) return base
  const lower = Object.fromEntries(Object.entries(map).map(([k, v]) => [k.toLowerCase(), v]))
  const l = locale.toLowerCase()
  return lower[l] ?? lower[l.split('-')[0]!] ?? base
}

/** The contract's inline bootstrap snippet for a tenant, ready to paste. */
export function buildEmbedSnippet(opts: {
  tenantId: string
  publicKey: string
  apiBaseUrl: string
}): string {
  const base = opts.apiBaseUrl.replace(/\/+$/, '')
  const q = (s: string) =>
    JSON.stringify(s).replace(/</g, '\\u003c').replace(/'/g, "\\'").slice(1, -1)
  return `<script>
  (function () {
    window.AurionSettings = {
      appId: '${q(opts.tenantId)}',
      publicKey: '${q(opts.publicKey)}',
      apiBaseUrl: '${q(base)}',
    }
    var s = document.createElement('script')
    s.src = '${q(base)}/api/v1/voice-widget/embed/aurion.js'
    s.async = true
    document.head.appendChild(s)
  })()
</script>`
}

export function embedScriptUrl(apiBaseUrl: string): string {
  return `${apiBaseUrl.replace(/\/+$/, '')}/api/v1/voice-widget/embed/aurion.js`
}
