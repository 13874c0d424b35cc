import { type FakeLiveKit, startFakeLiveKit } from '@aurion/server/test-support'
import { initializeLogger, type llm, log } from '@livekit/agents'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { InternalClient } from '../src/internal-client.ts'
import { answerPhoneCall, type PhoneCall, type PhoneRoom } from '../src/phone/phone-call.ts'
import { KEYPAD_PERSON_TEXT } from '../src/phone/phone-handoff.ts'
import { createSipTransfer } from '../src/phone/sip-transfer.ts'
import { type AurionServer, INTERNAL_TOKEN, startAurionServer } from './aurion-server.ts'
import {
  everyoneOffline,
  FakePhoneRoom,
  personOnline,
  type RoomParticipant,
  setPhoneLine,
} from './phone-support.ts'

initializeLogger({ pretty: false, level: 'fatal' })

const LK_KEY = 'APIphonetest'
const LK_SECRET = 'lk-phone-secret-0123456789abcdef0123456789abcdef'

function text(item: llm.ChatItem | undefined): string {
  return item?.type === 'message' ? (item.textContent ?? '') : ''
}

interface Answered {
  phone: PhoneCall
  room: FakePhoneRoom
  caller: RoomParticipant
  roomName: string
  /** The reason the job left the room with. */
  left: Promise<string>
  hangUps: () => number
}

let rooms = 0

/**
 * A phone call as the dispatch rule starts it: the tenant's metadata, a room with the caller in
 * it (also in the fake LiveKit, so its SIP service can transfer them) and the worker answering.
 * The session runs on text (no audio transport here): `session.run` is the caller speaking.
 */
function answer(
  opts: {
    server: AurionServer
    livekit: FakeLiveKit
    number?: string | null
    tenantId?: string
    serverUrl?: string
    messageTimeoutMs?: number
  },
  onRoom?: (room: FakePhoneRoom) => void,
): Answered {
  const roomName = `aurion_phone_${opts.server.tenantId}_${++rooms}`
  const room = new FakePhoneRoom()
  onRoom?.(room)
  const number = opts.number === undefined ? '+15550123' : opts.number
  const caller = room.callIn(number)
  opts.livekit.rooms.set(roomName, [{ identity: caller.identity, kind: 'SIP' }])
  let hangUps = 0
  let resolveLeft!: (reason: string) => void
  const left = new Promise<string>((r) => {
    resolveLeft = r
  })
  const phone = answerPhoneCall({
    client: new InternalClient(opts.serverUrl ?? opts.server.url, INTERNAL_TOKEN, {
      timeoutMs: 5000,
    }),
    room: room as unknown as PhoneRoom,
    roomName,
    dispatch: {
      tenantId: opts.tenantId ?? opts.server.tenantId,
      greeting: null,
      transferTo: null,
    },
    callId: `AJ_phone_${rooms}`,
    voice: { defaultGreeting: 'Hello!' },
    transfer: createSipTransfer(
      { url: opts.livekit.url, apiKey: LK_KEY, apiSecret: LK_SECRET },
      roomName,
    ),
    hangUp: async () => {
      hangUps++
      room.remoteParticipants.clear()
    },
    shutdown: resolveLeft,
    emptyRoomTimeoutMs: 30_000,
    messageTimeoutMs: opts.messageTimeoutMs ?? 60_000,
    logger: log(),
  })
  return { phone, room, caller, roomName, left, hangUps: () => hangUps }
}

async function say(phone: PhoneCall, words: string): Promise<string> {
  const run = phone.call!.session.run({ userInput: words, inputModality: 'audio' })
  await run.wait()
  return text(run.expect.nextEvent().isMessage({ role: 'assistant' }).event().item)
}

async function stored(server: AurionServer, conversationId: string) {
  return server.db
    .selectFrom('messages')
    .select(['sender_type', 'channel', 'body', 'metadata'])
    .where('conversation_id', '=', conversationId)
    .orderBy('seq')
    .execute()
}

async function conversation(server: AurionServer, id: string) {
  return server.db
    .selectFrom('conversations')
    .select(['status', 'handled_by', 'contact_id'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

describe('a phone call through the tenant’s line', () => {
  let server: AurionServer
  let livekit: FakeLiveKit
  const open: PhoneCall[] = []
  beforeAll(async () => {
    server = await startAurionServer({ consoleUser: true })
    livekit = await startFakeLiveKit(LK_KEY, LK_SECRET)
  })
  afterAll(async () => {
    await livekit.close()
    await server.close()
  })
  afterEach(async () => {
    for (const p of open.splice(0)) await p.shutdown()
    await everyoneOffline(server)
  })
  const call = (o: Omit<Parameters<typeof answer>[0], 'server' | 'livekit'> = {}) => {
    const a = answer({ server, livekit, ...o })
    open.push(a.phone)
    return a
  }

  it('greets with the line’s greeting, answers from the knowledge base, transfers a caller who asks for a person', async () => {
    await setPhoneLine(server, {
      greeting: 'Acme support, how can I help?',
      transferTo: '+15550199',
    })
    await personOnline(server)
    const { phone, caller, roomName, left, hangUps } = call({ number: '+15550123' })
    await phone.ready
    expect(phone.start).toMatchObject({ resumed: false, transfer_to: '+15550199' })
    await phone.call!.greeting!.waitForPlayout()
    expect(text(phone.call!.session.history.items.findLast((i) => i.type === 'message'))).toBe(
      'Acme support, how can I help?',
    )

    const answer1 = await say(phone, 'How do I reset my password?')
    expect(answer1).toMatch(/IT portal/i)

    const announcement = await say(phone, 'I want to talk to a person')
    expect(announcement).toMatch(/transferring your call/i)
    const transfer = await livekit.waitForCall((c) => c.method === 'TransferSIPParticipant')
    expect(transfer.body).toMatchObject({
      roomName,
      participantIdentity: caller.identity,
      transferTo: 'tel:+15550199',
    })
    expect(transfer.claims.sip.call).toBe(true)
    expect(await left).toBe('transferred')
    // The caller went to the person: the worker does not hang up on them.
    expect(hangUps()).toBe(0)
    expect(livekit.rooms.get(roomName)).toEqual([])

    await phone.shutdown()
    const conv = phone.start!.conversation_id
    const rows = await stored(server, conv)
    expect(rows.map((r) => `${r.sender_type}/${r.channel}`)).toEqual([
      'ai/phone',
      'contact/phone',
      'ai/phone',
      'contact/phone',
      'ai/phone',
    ])
    expect(rows[0]!.body).toBe('Acme support, how can I help?')
    expect(rows[3]!.body).toBe('I want to talk to a person')
    // In the inbox: a person handles it now; the contact is the caller's number.
    expect(await conversation(server, conv)).toMatchObject({ status: 'open', handled_by: 'human' })
    const contact = await server.db
      .selectFrom('contacts')
      .select(['phone', 'email'])
      .where('id', '=', phone.start!.contact_id)
      .executeTakeFirstOrThrow()
    expect(contact).toEqual({ phone: '+15550123', email: null })
  })

  it('the caller hangs up: the call ends, every turn is stored as a phone turn, calling back continues it', async () => {
    await setPhoneLine(server, { greeting: null, transferTo: null })
    const first = call({ number: '+15550150' })
    await first.phone.ready
    // Without a line greeting, the widget's welcome text.
    await first.phone.call!.greeting!.waitForPlayout()
    expect(await say(first.phone, 'How do I reset my password?')).toMatch(/IT portal/i)
    first.room.hangUp(first.caller)
    expect(await first.left).toBe('visitor_left')
    expect(first.hangUps()).toBe(0)
    await first.phone.shutdown()
    const conv = first.phone.start!.conversation_id
    const rows = await stored(server, conv)
    expect(rows.map((r) => `${r.sender_type}/${r.channel}`)).toEqual([
      'ai/phone',
      'contact/phone',
      'ai/phone',
    ])
    expect(rows[0]!.body).toBe('Hi, this is Acme IT. How can I help?')
    expect(await conversation(server, conv)).toMatchObject({ status: 'open', handled_by: 'ai' })

    const again = call({ number: '+15550150' })
    await again.phone.ready
    expect(again.phone.start).toMatchObject({ conversation_id: conv, resumed: true })
    const context = again.phone.call!.session.currentAgent.chatCtx.items.map(text)
    expect(context).toContain('How do I reset my password?')
    again.room.hangUp(again.caller)
    expect(await again.left).toBe('visitor_left')
  })

  it('pressing 0 asks for a person: the call is transferred', async () => {
    await setPhoneLine(server, { greeting: null, transferTo: '+15550199' })
    await personOnline(server)
    const { phone, room, caller, left } = call({ number: '+15550151' })
    await phone.ready
    // Another participant's keys (e.g. a second leg) are not the caller's.
    room.press({ ...caller, identity: 'someone_else' }, '0')
    room.press(caller, '5')
    room.press(caller, '0')
    const transfer = await livekit.waitForCall(
      (c) =>
        c.method === 'TransferSIPParticipant' && c.body.participantIdentity === caller.identity,
    )
    expect(transfer.body.transferTo).toBe('tel:+15550199')
    expect(await left).toBe('transferred')
    await phone.shutdown()
    const rows = await stored(server, phone.start!.conversation_id)
    const keypad = rows.filter((r) => r.sender_type === 'contact')
    expect(keypad.map((r) => [r.body, r.channel])).toEqual([[KEYPAD_PERSON_TEXT, 'phone']])
    expect(JSON.parse(keypad[0]!.metadata!)).toMatchObject({ action: 'talk_to_person' })
  })

  it('no transfer number: the caller leaves a message, the conversation goes to the inbox with it', async () => {
    await setPhoneLine(server, { greeting: null, transferTo: null })
    await personOnline(server)
    const transfersBefore = livekit.calls.filter((c) => c.method === 'TransferSIPParticipant')
    const { phone, room, caller, left, hangUps } = call({ number: '+15550152' })
    await phone.ready
    expect(await say(phone, 'Can I speak to a human?')).toMatch(/leave your message/i)
    expect(phone.handoff!.state).toBe('message')
    // The message: stored, and nobody but a person answers it now.
    const run = phone.call!.session.run({
      userInput: 'My VPN drops every hour, please call me back on this number',
      inputModality: 'audio',
    })
    await run.wait()
    await phone.call!.writeBack.idle()
    room.hangUp(caller)
    expect(await left).toBe('visitor_left')
    expect(hangUps()).toBe(0)
    await phone.shutdown()
    const conv = phone.start!.conversation_id
    const rows = await stored(server, conv)
    expect(rows.map((r) => `${r.sender_type}/${r.channel}`)).toEqual([
      'ai/phone',
      'contact/phone',
      'ai/phone',
      'contact/phone',
    ])
    expect(rows[3]!.body).toMatch(/VPN drops every hour/)
    expect(await conversation(server, conv)).toMatchObject({ status: 'open', handled_by: 'human' })
    expect(livekit.calls.filter((c) => c.method === 'TransferSIPParticipant')).toEqual(
      transfersBefore,
    )
  })

  it('a caller who stays on the line after the message is hung up on after the message time', async () => {
    await setPhoneLine(server, { greeting: null, transferTo: null })
    const { phone, left, hangUps } = call({ number: '+15550153', messageTimeoutMs: 200 })
    await phone.ready
    expect(await say(phone, 'talk to a person')).toMatch(/nobody from our team is online/i)
    expect(await left).toBe('message taken')
    expect(hangUps()).toBe(1)
  })

  it('LiveKit refuses the transfer: the caller leaves a message instead', async () => {
    await setPhoneLine(server, { greeting: null, transferTo: '+15550199' })
    await personOnline(server)
    livekit.refuseNext('TransferSIPParticipant', 400, 'invalid_argument', 'number not reachable')
    const { phone, left, hangUps, roomName } = call({ number: '+15550154', messageTimeoutMs: 300 })
    await phone.ready
    expect(await say(phone, 'talk to a person')).toMatch(/stay on the line and leave a message/i)
    await livekit.waitForCall(
      (c) => c.method === 'TransferSIPParticipant' && c.body.roomName === roomName,
    )
    expect(await left).toBe('message taken')
    expect(phone.handoff!.state).toBe('message')
    expect(hangUps()).toBe(1)
  })

  it('a withheld number is answered as an anonymous caller, in a new conversation', async () => {
    const { phone, room, caller, left } = call({ number: null })
    await phone.ready
    expect(phone.start!.resumed).toBe(false)
    room.hangUp(caller)
    expect(await left).toBe('visitor_left')
    const contact = await server.db
      .selectFrom('contacts')
      .select(['phone', 'email'])
      .where('id', '=', phone.start!.contact_id)
      .executeTakeFirstOrThrow()
    expect(contact).toEqual({ phone: null, email: null })
  })

  it('a tenant the server does not know: the call is hung up, nothing is stored', async () => {
    const { phone, left, hangUps } = call({ tenantId: 'tenant_unknown_0000' })
    await phone.ready
    expect(await left).toBe('phone call unavailable')
    expect(hangUps()).toBe(1)
    expect(phone.start).toBeUndefined()
    expect(phone.call).toBeUndefined()
  })

  it('the server is down: the call is hung up rather than left in silence', async () => {
    const { phone, left, hangUps } = call({ serverUrl: 'http://127.0.0.1:9' })
    await phone.ready
    expect(await left).toBe('phone call unavailable')
    expect(hangUps()).toBe(1)
  })

  it('nobody calls in (the caller dropped before the agent joined): the job leaves after the timeout', async () => {
    const roomName = 'aurion_phone_empty'
    const room = new FakePhoneRoom()
    let resolveLeft!: (r: string) => void
    const left = new Promise<string>((r) => {
      resolveLeft = r
    })
    const phone = answerPhoneCall({
      client: new InternalClient(server.url, INTERNAL_TOKEN),
      room: room as unknown as PhoneRoom,
      roomName,
      dispatch: { tenantId: server.tenantId, greeting: null, transferTo: null },
      callId: 'AJ_empty',
      voice: { defaultGreeting: 'Hello!' },
      transfer: undefined,
      hangUp: async () => {
        throw new Error('nobody to hang up on')
      },
      shutdown: resolveLeft,
      emptyRoomTimeoutMs: 100,
      messageTimeoutMs: 60_000,
      logger: log(),
    })
    expect(await left).toBe('nobody_joined')
    await phone.ready
    expect(phone.caller).toBeUndefined()
  })
})
