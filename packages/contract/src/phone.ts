import { type Static, Type } from '@sinclair/typebox'

/**
 * The tenant's phone line: `GET`/`PUT /api/v1/voice-widget/phone` (the `config` scope, by the
 * contract's path rule). The server keeps a LiveKit inbound SIP trunk with these numbers and a
 * dispatch rule that sends every call to a room of this tenant with the voice agent.
 */

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
export const E164_PATTERN = '^\\+[1-9][0-9]{1,14}$'
const e164 = /^\+[1-9][0-9]{1,14}$/

/** Whether `s` is a phone number in E.164 form (`+15550100`). */
export function isE164(s: string): boolean {
  return e164.test(s)
}

/** Numbers one tenant may route to its assistant. */
export const MAX_PHONE_NUMBERS = 20
/** Longest greeting the agent speaks when it answers. */
export const MAX_PHONE_GREETING = 500

export const PhoneConfigUpdate = Type.Object(
  {
    enabled: Type.Boolean({ description: 'Answer calls to these numbers' }),
    phone_numbers: Type.Array(Type.String({ maxLength: 16 }), {
      maxItems: MAX_PHONE_NUMBERS,
      description: 'Numbers in E.164 form (`+15550100`); each belongs to one tenant',
    }),
    greeting: Type.Optional(
      Type.Union([Type.String({ maxLength: MAX_PHONE_GREETING }), Type.Null()], {
        description: 'What the assistant says when it answers; `null` for the default',
      }),
    ),
    transfer_to: Type.Optional(
      Type.Union([Type.String({ maxLength: 16 }), Type.Null()], {
        description: 'E.164 number a caller who asks for a person is transferred to',
      }),
    ),
  },
  { additionalProperties: true },
)
export type PhoneConfigUpdate = Static<typeof PhoneConfigUpdate>

export const PhoneConfigResponse = Type.Object({
  enabled: Type.Boolean(),
  phone_numbers: Type.Array(Type.String()),
  greeting: Type.Union([Type.String(), Type.Null()]),
  transfer_to: Type.Union([Type.String(), Type.Null()]),
  /** The LiveKit objects kept for this line; `null` while the line is off. */
  sip: Type.Union([
    Type.Object({ trunk_id: Type.String(), dispatch_rule_id: Type.String() }),
    Type.Null(),
  ]),
  updated_at: Type.Union([Type.String(), Type.Null()]),
})
export type PhoneConfigResponse = Static<typeof PhoneConfigResponse>

/**
 * What the dispatch rule hands the voice agent with every call (its job metadata): the tenant,
 * the channel and the line's settings. Phone rooms are named `aurion_phone_<tenant>_…`.
 */
export interface PhoneDispatchMetadata {
  tenant_id: string
  channel: 'phone'
  greeting: string | null
  transfer_to: string | null
}
