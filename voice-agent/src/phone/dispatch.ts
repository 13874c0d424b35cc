import type { PhoneDispatchMetadata } from '@aurion/contract'

const ID = /^[A-Za-z0-9_-]{1,100}$/

/** What the tenant's SIP dispatch rule hands the worker with a phone call. */
export interface PhoneDispatch {
  tenantId: string
  greeting: string | null
  transferTo: string | null
}

/**
 * Reads the job metadata of the phone line's dispatch rule ({@link PhoneDispatchMetadata}):
 * `undefined` when the job is not a phone call (no `channel: "phone"`), `null` when it is one
 * but the tenant is missing or malformed — a call the worker cannot answer.
 */
export function readPhoneDispatch(
  raw: string | undefined | null,
): PhoneDispatch | null | undefined {
  if (!raw) return undefined
  let data: unknown
  try {
    data = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (data === null || typeof data !== 'object') return undefined
  const d = data as Partial<Record<keyof PhoneDispatchMetadata, unknown>>
  if (d.channel !== 'phone') return undefined
  if (typeof d.tenant_id !== 'string' || !ID.test(d.tenant_id)) return null
  return {
    tenantId: d.tenant_id,
    greeting: typeof d.greeting === 'string' ? d.greeting : null,
    transferTo: typeof d.transfer_to === 'string' ? d.transfer_to : null,
  }
}
