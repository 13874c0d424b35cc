import { type Static, Type } from '@sinclair/typebox'

/** Longest retention a tenant can set: ten years. */
export const MAX_RETENTION_DAYS = 3650

/** Privacy fields of `PUT /api/v1/voice-widget/config` (all optional; `null` resets). */
export const PrivacyConfigUpdateFields = {
  retention_days: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: MAX_RETENTION_DAYS }), Type.Null()], {
      description:
        'Delete conversations (messages, attachments, feedback, outbox entries) this many days after their last activity; null keeps them',
    }),
  ),
  redact_pii: Type.Optional(
    Type.Boolean({
      description:
        'Mask email addresses, phone numbers, card numbers and IBANs in what is sent to the language model and in logs',
    }),
  ),
  redact_stored: Type.Optional(
    Type.Boolean({ description: 'With redact_pii: also mask them in stored messages' }),
  ),
}

/** The same fields in `VoiceWidgetConfigResponse`. */
export const PrivacyConfigResponseFields = {
  retention_days: Type.Union([Type.Integer(), Type.Null()]),
  redact_pii: Type.Boolean(),
  redact_stored: Type.Boolean(),
}

export interface PrivacyConfig {
  retention_days: number | null
  redact_pii: boolean
  redact_stored: boolean
}

export const PRIVACY_CONFIG_DEFAULTS: Readonly<PrivacyConfig> = Object.freeze({
  retention_days: null,
  redact_pii: false,
  redact_stored: false,
})

/** `GET /api/v1/privacy/retention`: the policy and what its last run removed. */
export const RetentionStatusResponse = Type.Object({
  retention_days: Type.Union([Type.Integer(), Type.Null()]),
  last_run: Type.Union([
    Type.Object({
      ran_at: Type.String(),
      cutoff: Type.String({ description: 'Activity before this instant was due' }),
      conversations: Type.Integer(),
      messages: Type.Integer(),
      uploads: Type.Integer(),
      feedback: Type.Integer(),
      outbox: Type.Integer(),
    }),
    Type.Null(),
  ]),
})
export type RetentionStatusResponse = Static<typeof RetentionStatusResponse>
