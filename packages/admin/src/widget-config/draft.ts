import {
  checkWidgetConfigUpdate,
  resolveWidgetConfig,
  TRANSLATABLE_FIELDS,
  type TranslatableField,
  type WidgetConfig,
  WidgetConfigUpdate,
} from '@aurion/contract'
import type { FieldIssue } from '../api/client.ts'

/** The form's state: a complete config, edited in place, sent whole on save. */
export type Draft = WidgetConfig

/** The config fields of a `GET /config` answer (keys, snippet and timestamps left out). */
export function draftFromResponse(res: Record<string, unknown>): Draft {
  return resolveWidgetConfig(res)
}

/** The `PUT /config` body for a draft: every field, blank colours as `null` (back to the theme). */
export function toUpdate(d: Draft): WidgetConfigUpdate {
  return {
    ...d,
    primary_color: d.primary_color?.trim() ? d.primary_color.trim() : null,
    accent_color: d.accent_color?.trim() ? d.accent_color.trim() : null,
  }
}

/** `loc` without the leading `"body"`, dotted: `allowed_origins.2`, `welcome_text_translations.de`. */
export function issuePath(loc: (string | number)[]): string {
  return (loc[0] === 'body' ? loc.slice(1) : loc).join('.')
}

// JSON Schema counts characters as code points, as Ajv on the server does.
const len = (s: string) => [...s].length

interface StringRules {
  minLength?: number
  maxLength?: number
  pattern?: string
}

/** The string schema of a property, looking through `Optional` and `X | null`. */
function stringRules(schema: unknown): StringRules | undefined {
  const s = schema as ({ type?: string; anyOf?: unknown[] } & StringRules) | undefined
  // A list or union without one string schema to read (e.g. `X[] | null`): nothing to check here.
  if (s === undefined || s === null) return undefined
  if (s.type === 'string') return s
  if (Array.isArray(s.anyOf)) {
    for (const branch of s.anyOf) {
      const r = stringRules(branch)
      if (r) return r
    }
  }
  return undefined
}

function checkString(
  path: (string | number)[],
  value: string,
  rules: StringRules,
  out: FieldIssue[],
) {
  const loc = ['body', ...path]
  if (rules.minLength !== undefined && len(value) < rules.minLength) {
    out.push({
      type: 'string_too_short',
      loc,
      msg: rules.minLength === 1 ? 'Required' : `At least ${rules.minLength} characters`,
    })
  } else if (rules.maxLength !== undefined && len(value) > rules.maxLength) {
    out.push({
      type: 'string_too_long',
      loc,
      msg: `At most ${rules.maxLength} characters (now ${len(value)})`,
    })
  } else if (rules.pattern !== undefined && !new RegExp(rules.pattern).test(value)) {
    out.push({
      type: 'string_pattern_mismatch',
      loc,
      msg: 'Use a hex colour such as #2563eb or #26e',
    })
  }
}

const props = WidgetConfigUpdate.properties as Record<string, Record<string, unknown>>

/**
 * Everything the server would refuse with 422, found in the browser: the limits come from the
 * same schema the server validates with, the rest from the same `checkWidgetConfigUpdate`.
 * Issues have the server's `loc`, so they land next to the same fields.
 */
export function validateDraft(d: Draft): FieldIssue[] {
  const body = toUpdate(d) as unknown as Record<string, unknown>
  const out: FieldIssue[] = []
  for (const [key, schema] of Object.entries(props)) {
    const value = body[key]
    if (typeof value === 'string') {
      const rules = stringRules(schema)
      if (rules) checkString([key], value, rules, out)
    } else if (Array.isArray(value)) {
      const arr = schema as { maxItems?: number; items?: unknown }
      if (arr.maxItems !== undefined && value.length > arr.maxItems) {
        out.push({ type: 'too_long', loc: ['body', key], msg: `At most ${arr.maxItems} entries` })
      }
      const rules = stringRules(arr.items)
      if (rules)
        for (const [i, v] of value.entries()) {
          if (typeof v === 'string') checkString([key, i], v, rules, out)
        }
    } else if (value !== null && typeof value === 'object') {
      const rec = schema as { maxProperties?: number; patternProperties?: Record<string, unknown> }
      const entries = Object.entries(value as Record<string, unknown>)
      if (rec.maxProperties !== undefined && entries.length > rec.maxProperties) {
        out.push({
          type: 'too_long',
          loc: ['body', key],
          msg: `At most ${rec.maxProperties} languages`,
        })
      }
      const rules = stringRules(Object.values(rec.patternProperties ?? {})[0])
      if (rules)
        for (const [k, v] of entries)
          if (typeof v === 'string') checkString([key, k], v, rules, out)
    }
  }
  const checked = checkWidgetConfigUpdate(body as unknown as WidgetConfigUpdate)
  const seen = new Set(out.map((i) => issuePath(i.loc)))
  if ('issues' in checked) {
    for (const issue of checked.issues) {
      if (!seen.has(issuePath(issue.loc))) out.push(issue)
    }
  }
  return out
}

/** The locales used by any of the four translation maps, sorted. */
export function draftLocales(d: Draft): string[] {
  const set = new Set<string>()
  for (const f of TRANSLATABLE_FIELDS)
    for (const k of Object.keys(d[`${f}_translations`])) set.add(k)
  return [...set].sort()
}

/** Why a new locale code would be refused (the server's own rule), or undefined. */
export function checkLocale(locale: string): string | undefined {
  const probe = checkWidgetConfigUpdate({
    enabled: true,
    display_title: 'x',
    launcher_label: 'x',
    display_title_translations: { [locale]: 'x' },
  })
  return 'issues' in probe ? probe.issues[0]?.msg : undefined
}

/** Sets one translation; an empty text removes the locale from that field's map. */
export function setTranslation(
  d: Draft,
  field: TranslatableField,
  locale: string,
  text: string,
): Draft {
  const key = `${field}_translations` as const
  const map = { ...d[key] }
  if (text === '') delete map[locale]
  else map[locale] = text
  return { ...d, [key]: map }
}

/** Removes a locale from every translation map. */
export function removeLocale(d: Draft, locale: string): Draft {
  const next = { ...d }
  for (const f of TRANSLATABLE_FIELDS) {
    const key = `${f}_translations` as const
    const map = { ...next[key] }
    delete map[locale]
    next[key] = map
  }
  return next
}

/** Whether two drafts would save the same config. */
export function sameDraft(a: Draft, b: Draft): boolean {
  return JSON.stringify(toUpdate(a)) === JSON.stringify(toUpdate(b))
}
