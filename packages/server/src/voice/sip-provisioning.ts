import type { PhoneDispatchMetadata } from '@aurion/contract'
import {
  RoomAgentDispatch,
  RoomConfiguration,
  SIPDispatchRule,
  SIPDispatchRuleIndividual,
  SIPDispatchRuleInfo,
  SIPInboundTrunkInfo,
  SipClient,
  TwirpError,
} from 'livekit-server-sdk'
import type { LiveKitSettings } from './livekit-token.ts'

/** Phone calls of a tenant land in rooms named `aurion_phone_<tenant>_<caller>_<random>`. */
export const PHONE_ROOM_PREFIX = 'aurion_phone_'

export function phoneRoomPrefix(tenantId: string): string {
  return `${PHONE_ROOM_PREFIX}${tenantId}_`
}

/** What a line needs from LiveKit, and the objects it has there already (if any). */
export interface SipLineSpec {
  tenantId: string
  numbers: string[]
  greeting: string | null
  transferTo: string | null
  trunkId: string | null
  dispatchRuleId: string | null
}

export interface SipObjects {
  trunkId: string
  dispatchRuleId: string
}

/** LiveKit's SIP service as the phone line needs it (Twirp `livekit.SIP`). */
export interface SipProvisioner {
  /** Creates or replaces the line's inbound trunk and dispatch rule. */
  apply(spec: SipLineSpec): Promise<SipObjects>
  /** Deletes them; objects LiveKit no longer has are fine. */
  remove(objects: { trunkId: string | null; dispatchRuleId: string | null }): Promise<void>
}

/** A LiveKit refusal or outage, with LiveKit's own words. */
export class SipProvisioningError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SipProvisioningError'
  }
}

const REQUEST_TIMEOUT_SECONDS = 10

const isNotFound = (err: unknown) =>
  err instanceof TwirpError && (err.status === 404 || err.code === 'not_found')

/** LiveKit's answer in words an admin can act on. */
function describe(err: unknown): string {
  if (err instanceof TwirpError) return `${err.message} (${err.code ?? err.status})`
  return err instanceof Error ? err.message : String(err)
}

export function createSipProvisioner(lk: LiveKitSettings): SipProvisioner {
  const sip = new SipClient(lk.url, lk.apiKey, lk.apiSecret, {
    requestTimeout: REQUEST_TIMEOUT_SECONDS,
  })

  const trunkInfo = (spec: SipLineSpec) => ({
    name: `aurion ${spec.tenantId}`,
    numbers: spec.numbers,
    metadata: JSON.stringify({ tenant_id: spec.tenantId }),
    krispEnabled: true,
  })

  const dispatchFields = (spec: SipLineSpec, trunkId: string) => {
    const metadata: PhoneDispatchMetadata = {
      tenant_id: spec.tenantId,
      channel: 'phone',
      greeting: spec.greeting,
      transfer_to: spec.transferTo,
    }
    return {
      name: `aurion ${spec.tenantId}`,
      trunkIds: [trunkId],
      metadata: JSON.stringify(metadata),
      attributes: { tenant_id: spec.tenantId, channel: 'phone' },
      roomConfig: new RoomConfiguration({
        agents: [
          new RoomAgentDispatch({ agentName: lk.agentName, metadata: JSON.stringify(metadata) }),
        ],
      }),
    }
  }

  const upsertTrunk = async (spec: SipLineSpec): Promise<{ id: string; created: boolean }> => {
    const info = trunkInfo(spec)
    if (spec.trunkId !== null) {
      try {
        const t = await sip.updateSipInboundTrunk(
          spec.trunkId,
          new SIPInboundTrunkInfo({ sipTrunkId: spec.trunkId, ...info }),
        )
        return { id: t.sipTrunkId || spec.trunkId, created: false }
      } catch (err) {
        // Deleted in LiveKit behind our back: make a new one.
        if (!isNotFound(err)) throw err
      }
    }
    const t = await sip.createSipInboundTrunk(info.name, info.numbers, {
      metadata: info.metadata,
      krispEnabled: true,
    })
    return { id: t.sipTrunkId, created: true }
  }

  const upsertRule = async (spec: SipLineSpec, trunkId: string): Promise<string> => {
    const f = dispatchFields(spec, trunkId)
    const roomPrefix = phoneRoomPrefix(spec.tenantId)
    if (spec.dispatchRuleId !== null) {
      try {
        const r = await sip.updateSipDispatchRule(
          spec.dispatchRuleId,
          new SIPDispatchRuleInfo({
            sipDispatchRuleId: spec.dispatchRuleId,
            rule: new SIPDispatchRule({
              rule: {
                case: 'dispatchRuleIndividual',
                value: new SIPDispatchRuleIndividual({ roomPrefix }),
              },
            }),
            ...f,
          }),
        )
        return r.sipDispatchRuleId || spec.dispatchRuleId
      } catch (err) {
        if (!isNotFound(err)) throw err
      }
    }
    const r = await sip.createSipDispatchRule({ type: 'individual', roomPrefix }, f)
    return r.sipDispatchRuleId
  }

  const remove: SipProvisioner['remove'] = async ({ trunkId, dispatchRuleId }) => {
    try {
      if (dispatchRuleId !== null)
        await sip.deleteSipDispatchRule(dispatchRuleId).catch((err) => {
          if (!isNotFound(err)) throw err
        })
      if (trunkId !== null)
        await sip.deleteSipTrunk(trunkId).catch((err) => {
          if (!isNotFound(err)) throw err
        })
    } catch (err) {
      throw new SipProvisioningError(describe(err))
    }
  }

  return {
    async apply(spec) {
      let trunk: { id: string; created: boolean } | undefined
      try {
        trunk = await upsertTrunk(spec)
        const dispatchRuleId = await upsertRule(spec, trunk.id)
        return { trunkId: trunk.id, dispatchRuleId }
      } catch (err) {
        // A trunk made in this call without its rule would route calls nowhere: take it back.
        if (trunk?.created) await sip.deleteSipTrunk(trunk.id).catch(() => {})
        throw new SipProvisioningError(describe(err))
      }
    },
    remove,
  }
}
