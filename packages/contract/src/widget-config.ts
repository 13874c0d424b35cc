import { type Static, Type } from '@sinclair/typebox'
import {
  FEEDBACK_CONFIG_DEFAULTS,
  type FeedbackConfig,
  FeedbackConfigResponseFields,
  FeedbackConfigUpdateFields,
} from './feedback.ts'
import {
  applyHandoffUpdate,
  checkHandoffUpdate,
  HANDOFF_DEFAULTS,
  type HandoffSettings,
  HandoffSettingsSchema,
  HandoffSettingsUpdate,
  resolveHandoffSettings,
} from './handoff.ts'
import { checkLogoDataUrl, MAX_LOGO_BYTES } from './logo-data-url.ts'
import { normalizeOrigin } from './normalize-origin.ts'
import {
  PRIVACY_CONFIG_DEFAULTS,
  type PrivacyConfig,
  PrivacyConfigResponseFields,
  PrivacyConfigUpdateFields,
} from './privacy-settings.ts'

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
/** The origin check lives in normalize-origin.ts; exported here too, where callers found it. */
export { normalizeOrigin } from './normalize-origin.ts'
/** The logo check lives in logo-data-url.ts; exported here too, where callers found it. */
export { checkLogoDataUrl, MAX_LOGO_BYTES }
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
  ...PrivacyConfigUpdateFields,
  ...FeedbackConfigUpdateFields,
  handoff: Type.Optional(Type.Union([HandoffSettingsUpdate, Type.Null()])),
})
export type WidgetConfigUpdate = Static<typeof WidgetConfigUpdate>

/** The stored config with every default applied. */
export interface WidgetConfig extends PrivacyConfig, FeedbackConfig {
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
  /** Human hand-off (see handoff.ts). */
  handoff: HandoffSettings
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
  ...PRIVACY_CONFIG_DEFAULTS,
  ...FEEDBACK_CONFIG_DEFAULTS,
  handoff: HANDOFF_DEFAULTS,
})

/** Stored JSON (possibly partial, from an older version) → a complete config. */
export function resolveWidgetConfig(stored: unknown): WidgetConfig {
  const s = stored && typeof stored === 'object' ? (stored as Partial<WidgetConfig>) : {}
  const out = { ...WIDGET_CONFIG_DEFAULTS } as Record<string, unknown>
  for (const key of Object.keys(WIDGET_CONFIG_DEFAULTS)) {
    const v = (s as Record<string, unknown>)[key]
    if (v !== undefined) out[key] = v
  }
  out.handoff = resolveHandoffSettings((s as Record<string, unknown>).handoff)
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
  ...PrivacyConfigResponseFields,
  ...FeedbackConfigResponseFields,
  handoff: HandoffSettingsSchema,
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
  'feedback_enabled',
  'csat_enabled',
] as const satisfies readonly (keyof WidgetConfig)[]

export type PublicWidgetConfig = Pick<WidgetConfig, (typeof PUBLIC_CONFIG_FIELDS)[number]> & {
  /** Whether the server can issue LiveKit tokens; otherwise the widget may use the Web Speech API. */
  voice_available: boolean
  /**
   * Show the "Talk to a person" quick action: hand-off is on with its `quick_action` trigger. It
   * sends a message with `metadata.action` = `talk_to_person` (see `HANDOFF_QUICK_ACTION`).
   */
  handoff_quick_action: boolean
}

export function toPublicConfig(config: WidgetConfig, voiceAvailable: boolean): PublicWidgetConfig {
  const out: Record<string, unknown> = {}
  for (const k of PUBLIC_CONFIG_FIELDS) out[k] = config[k]
  out.voice_available = voiceAvailable
  out.handoff_quick_action = config.handoff.enabled && config.handoff.triggers.quick_action
  return out as PublicWidgetConfig
}

const LOCALE_RE = /^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$/

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
  if (update.handoff) issues.push(...checkHandoffUpdate(update.handoff))
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
    if (k === 'handoff') {
      next.handoff = applyHandoffUpdate(current.handoff, v as HandoffSettingsUpdate | null)
      continue
    }
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
