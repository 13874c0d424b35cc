import { type Static, Type } from '@sinclair/typebox'

/**
 * Human hand-off settings (the widget config's `handoff` object): when the assistant hands a
 * conversation to a person, when people are around, and what the assistant says when nobody is.
 */

/** What may hand a conversation to a person (an agent taking over from the inbox always can). */
export const HANDOFF_TRIGGERS = ['visitor_request', 'unanswered_twice', 'quick_action'] as const
export type HandoffTrigger = (typeof HANDOFF_TRIGGERS)[number]
/** Why a conversation was handed off: a trigger, or an agent taking it over. */
export type HandoffReason = HandoffTrigger | 'agent_takeover'

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]
/** At most this many opening intervals. */
export const MAX_BUSINESS_HOURS_INTERVALS = 21
export const HANDOFF_TEXT_MAX_LENGTH = 500

/**
 * The message a visitor sends with the "Talk to a person" quick action (REST or WebSocket):
 * `metadata.action` set to this value. The `body` is whatever the widget shows, e.g. "Talk to a
 * person"; it is stored like any visitor message.
 */
export const HANDOFF_QUICK_ACTION = 'talk_to_person'

const TimeOfDay = (description: string) =>
  Type.String({ pattern: '^(?:[01]\\d|2[0-3]):[0-5]\\d$|^24:00$', description })

export const BusinessHoursInterval = Type.Object({
  days: Type.Array(Type.Union(WEEKDAYS.map((d) => Type.Literal(d))), {
    minItems: 1,
    maxItems: 7,
  }),
  start: TimeOfDay('Opening time, `HH:MM` (24 h) in `time_zone`'),
  end: TimeOfDay('Closing time, `HH:MM` after `start` (`24:00` = midnight)'),
})
export type BusinessHoursInterval = Static<typeof BusinessHoursInterval>

export const BusinessHours = Type.Object({
  time_zone: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'IANA time zone, e.g. `Europe/Berlin`',
  }),
  intervals: Type.Array(BusinessHoursInterval, {
    minItems: 1,
    maxItems: MAX_BUSINESS_HOURS_INTERVALS,
  }),
})
export type BusinessHours = Static<typeof BusinessHours>

export const HandoffTriggers = Type.Object({
  visitor_request: Type.Boolean({ description: 'The visitor asks for a person (typed or spoken)' }),
  unanswered_twice: Type.Boolean({
    description: 'The assistant could not answer two messages in a row',
  }),
  quick_action: Type.Boolean({ description: 'The widget shows a "Talk to a person" quick action' }),
})
export type HandoffTriggers = Static<typeof HandoffTriggers>

/** The stored `handoff` settings with every default applied. */
export interface HandoffSettings {
  enabled: boolean
  triggers: HandoffTriggers
  /** `null`: people may be online at any time (their availability decides). */
  business_hours: BusinessHours | null
  /** What the assistant says when nobody is online; `null` → the built-in sentence. */
  offline_text: string | null
}

export const HANDOFF_DEFAULTS: Readonly<HandoffSettings> = Object.freeze({
  enabled: true,
  triggers: { visitor_request: true, unanswered_twice: false, quick_action: true },
  business_hours: null,
  offline_text: null,
})

/** `handoff` in `PUT /voice-widget/config`: every field optional, merged over the stored one. */
export const HandoffSettingsUpdate = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    triggers: Type.Optional(Type.Partial(HandoffTriggers)),
    business_hours: Type.Optional(Type.Union([BusinessHours, Type.Null()])),
    offline_text: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: HANDOFF_TEXT_MAX_LENGTH }), Type.Null()]),
    ),
  },
  {
    description:
      'Human hand-off: on/off, triggers, business hours (IANA time zone) and the text the assistant says when nobody is online',
  },
)
export type HandoffSettingsUpdate = Static<typeof HandoffSettingsUpdate>

/** `handoff` in the config response. */
export const HandoffSettingsSchema = Type.Object({
  enabled: Type.Boolean(),
  triggers: HandoffTriggers,
  business_hours: Type.Union([BusinessHours, Type.Null()]),
  offline_text: Type.Union([Type.String(), Type.Null()]),
})

/** Stored JSON (possibly partial or absent) → complete settings. */
export function resolveHandoffSettings(stored: unknown): HandoffSettings {
  const s = stored && typeof stored === 'object' ? (stored as Partial<HandoffSettings>) : {}
  return {
    enabled: typeof s.enabled === 'boolean' ? s.enabled : HANDOFF_DEFAULTS.enabled,
    triggers: { ...HANDOFF_DEFAULTS.triggers, ...(s.triggers ?? {}) },
    business_hours: s.business_hours ?? null,
    offline_text: typeof s.offline_text === 'string' ? s.offline_text : null,
  }
}

/** Merges an update over the current settings (`null` resets a field to its default). */
export function applyHandoffUpdate(
  current: HandoffSettings,
  update: HandoffSettingsUpdate | null,
): HandoffSettings {
  if (update === null) return resolveHandoffSettings(undefined)
  return {
    enabled: update.enabled ?? current.enabled,
    triggers: { ...current.triggers, ...(update.triggers ?? {}) },
    business_hours:
      update.business_hours === undefined ? current.business_hours : update.business_hours,
    offline_text: update.offline_text === undefined ? current.offline_text : update.offline_text,
  }
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** The checks JSON Schema cannot express: a known time zone, intervals that end after they start. */
export function checkHandoffUpdate(
  update: HandoffSettingsUpdate,
): { type: string; loc: (string | number)[]; msg: string }[] {
  const issues: { type: string; loc: (string | number)[]; msg: string }[] = []
  const hours = update.business_hours
  if (hours) {
    if (!isTimeZone(hours.time_zone)) {
      issues.push({
        type: 'value_error',
        loc: ['body', 'handoff', 'business_hours', 'time_zone'],
        msg: `"${hours.time_zone}" is not an IANA time zone such as "Europe/Berlin"`,
      })
    }
    hours.intervals.forEach((iv, i) => {
      if (iv.end <= iv.start) {
        issues.push({
          type: 'value_error',
          loc: ['body', 'handoff', 'business_hours', 'intervals', i, 'end'],
          msg: 'end must be after start (split a night shift into two intervals)',
        })
      }
    })
  }
  if (typeof update.offline_text === 'string' && update.offline_text.trim() === '') {
    issues.push({
      type: 'string_too_short',
      loc: ['body', 'handoff', 'offline_text'],
      msg: 'offline_text must not be blank',
    })
  }
  return issues
}
