import { isE164, type PhoneConfigResponse, type PhoneConfigUpdate } from '@aurion/contract'
import type { Config } from '../config.ts'
import { isUniqueViolation } from '../conversations/db-errors.ts'
import type { Db } from '../db/schema.ts'
import {
  conflict,
  liveKitError,
  type ValidationIssue,
  validationError,
  voiceNotConfigured,
} from '../errors.ts'
import { liveKitSettings } from './livekit-token.ts'
import {
  findPhoneLine,
  numbersHeldElsewhere,
  type PhoneLine,
  savePhoneLine,
} from './phone-line-repo.ts'
import {
  createSipProvisioner,
  type SipProvisioner,
  SipProvisioningError,
} from './sip-provisioning.ts'

export interface PhoneLineDeps {
  db: Db
  config: Config
  /** Tests and other backends may hand one in; otherwise LiveKit's SIP service from the config. */
  sip?: SipProvisioner
}

export function phoneLineView(line: PhoneLine): PhoneConfigResponse {
  return {
    enabled: line.enabled,
    phone_numbers: line.numbers,
    greeting: line.greeting,
    transfer_to: line.transferTo,
    sip:
      line.trunkId !== null && line.dispatchRuleId !== null
        ? { trunk_id: line.trunkId, dispatch_rule_id: line.dispatchRuleId }
        : null,
    updated_at: line.updatedAt,
  }
}

export async function getPhoneLine(db: Db, tenantId: string): Promise<PhoneConfigResponse> {
  return phoneLineView(await findPhoneLine(db, tenantId))
}

const issue = (loc: (string | number)[], msg: string): ValidationIssue => ({
  type: 'value_error',
  loc,
  msg,
})

/** The update, checked and normalised: the line as it is to be. */
function checkUpdate(prev: PhoneLine, body: PhoneConfigUpdate): PhoneLine {
  const issues: ValidationIssue[] = []
  const seen = new Set<string>()
  body.phone_numbers.forEach((raw, i) => {
    const n = raw.trim()
    if (!isE164(n))
      issues.push(
        issue(
          ['body', 'phone_numbers', i],
          'Phone number must be in E.164 form: a plus, the country code and the number, digits only (+15550100)',
        ),
      )
    else if (seen.has(n)) issues.push(issue(['body', 'phone_numbers', i], `${n} is listed twice`))
    seen.add(n)
  })
  const transferTo =
    body.transfer_to === undefined ? prev.transferTo : body.transfer_to?.trim() || null
  if (transferTo !== null && !isE164(transferTo))
    issues.push(issue(['body', 'transfer_to'], 'Transfer number must be in E.164 form (+15550199)'))
  else if (transferTo !== null && seen.has(transferTo))
    issues.push(
      issue(['body', 'transfer_to'], 'Transfer number must not be one of the line’s own numbers'),
    )
  if (body.enabled && seen.size === 0)
    issues.push(issue(['body', 'phone_numbers'], 'Add a phone number to turn the line on'))
  if (issues.length > 0) throw validationError(issues)
  const greeting = body.greeting === undefined ? prev.greeting : body.greeting?.trim() || null
  return {
    ...prev,
    enabled: body.enabled,
    numbers: [...seen],
    greeting,
    transferTo,
  }
}

const inUse = (numbers: string[]) =>
  conflict(
    numbers.length === 1
      ? `Phone number ${numbers[0]} is already in use by another workspace`
      : `Phone numbers ${numbers.join(', ')} are already in use by another workspace`,
  )

/**
 * `PUT /api/v1/voice-widget/phone`. LiveKit first, then the database: a line is stored only
 * once LiveKit holds its trunk and dispatch rule (502 with LiveKit's words otherwise, nothing
 * stored), and a line turned off loses them. A number another tenant holds is a 409, checked
 * before LiveKit is asked and again by the database's key when the line is stored.
 */
export async function updatePhoneLine(
  deps: PhoneLineDeps,
  tenantId: string,
  body: PhoneConfigUpdate,
): Promise<PhoneConfigResponse> {
  const prev = await findPhoneLine(deps.db, tenantId)
  const next = checkUpdate(prev, body)
  const taken = await numbersHeldElsewhere(deps.db, tenantId, next.numbers)
  if (taken.length > 0) throw inUse(taken)

  const lk = liveKitSettings(deps.config)
  const sip = deps.sip ?? (lk ? createSipProvisioner(lk) : undefined)
  const hadObjects = prev.trunkId !== null || prev.dispatchRuleId !== null
  if (next.enabled) {
    if (sip === undefined) throw voiceNotConfigured()
    try {
      const objects = await sip.apply({
        tenantId,
        numbers: next.numbers,
        greeting: next.greeting,
        transferTo: next.transferTo,
        trunkId: prev.trunkId,
        dispatchRuleId: prev.dispatchRuleId,
      })
      next.trunkId = objects.trunkId
      next.dispatchRuleId = objects.dispatchRuleId
    } catch (err) {
      if (err instanceof SipProvisioningError)
        throw liveKitError(`LiveKit did not accept the phone line: ${err.message}`)
      throw err
    }
  } else {
    if (hadObjects && sip !== undefined) {
      try {
        await sip.remove(prev)
      } catch (err) {
        if (err instanceof SipProvisioningError)
          throw liveKitError(`LiveKit could not remove the phone line: ${err.message}`)
        throw err
      }
    }
    next.trunkId = null
    next.dispatchRuleId = null
  }

  try {
    await savePhoneLine(deps.db, next, new Date().toISOString())
  } catch (err) {
    if (!isUniqueViolation(err)) throw err
    // Another tenant took a number between the check and the write: undo what LiveKit got.
    if (next.enabled && sip !== undefined && !hadObjects) await sip.remove(next).catch(() => {})
    throw inUse(await numbersHeldElsewhere(deps.db, tenantId, next.numbers))
  }
  return phoneLineView(await findPhoneLine(deps.db, tenantId))
}
