import { describe, expect, it } from 'vitest'
import { readPhoneDispatch } from './dispatch.ts'
import { callerNumber, isSipParticipant } from './sip-caller.ts'

describe('the phone line’s dispatch metadata', () => {
  it('reads tenant, greeting and transfer number of a phone job', () => {
    expect(
      readPhoneDispatch(
        JSON.stringify({
          tenant_id: 'tenant_1',
          channel: 'phone',
          greeting: 'Hi',
          transfer_to: '+15550199',
        }),
      ),
    ).toEqual({ tenantId: 'tenant_1', greeting: 'Hi', transferTo: '+15550199' })
    expect(readPhoneDispatch('{"tenant_id":"t","channel":"phone"}')).toEqual({
      tenantId: 't',
      greeting: null,
      transferTo: null,
    })
  })

  it('a browser call, no metadata or junk is not a phone job; a phone job without a usable tenant is null', () => {
    for (const raw of [
      undefined,
      null,
      '',
      'nope',
      '[]',
      '{"tenant_id":"t","conversation_id":"c"}',
    ])
      expect(readPhoneDispatch(raw)).toBeUndefined()
    for (const tenant of [undefined, 5, '', '../x', 'a'.repeat(101)])
      expect(readPhoneDispatch(JSON.stringify({ channel: 'phone', tenant_id: tenant }))).toBeNull()
  })
})

describe('the SIP caller', () => {
  it('is the SIP participant kind, or a participant with SIP attributes', () => {
    expect(isSipParticipant({ identity: 'a', kind: 3 })).toBe(true)
    expect(isSipParticipant({ identity: 'b', kind: 0, attributes: { 'sip.callID': 'x' } })).toBe(
      true,
    )
    expect(isSipParticipant({ identity: 'c', kind: 0, attributes: { name: 'x' } })).toBe(false)
    expect(isSipParticipant({ identity: 'agent', kind: 4 })).toBe(false)
  })

  it('has the number LiveKit reports, or none when withheld', () => {
    expect(callerNumber({ identity: 'a', attributes: { 'sip.phoneNumber': ' +15550123 ' } })).toBe(
      '+15550123',
    )
    expect(callerNumber({ identity: 'a', attributes: { 'sip.phoneNumber': '' } })).toBeNull()
    expect(callerNumber({ identity: 'a' })).toBeNull()
  })
})
