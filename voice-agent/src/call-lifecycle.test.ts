import { EventEmitter } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type CallEndReason, watchCall } from './call-lifecycle.ts'

const STANDARD = 0
const AGENT = 4
const EGRESS = 2

class FakeRoom extends EventEmitter {
  remoteParticipants = new Map<string, { identity: string; kind: number }>()
  join(identity: string, kind = STANDARD) {
    const p = { identity, kind }
    this.remoteParticipants.set(identity, p)
    this.emit('participantConnected', p)
  }
  leave(identity: string) {
    const p = this.remoteParticipants.get(identity)!
    this.remoteParticipants.delete(identity)
    this.emit('participantDisconnected', p)
  }
}

describe('watchCall', () => {
  let room: FakeRoom
  let ends: CallEndReason[]
  beforeEach(() => {
    vi.useFakeTimers()
    room = new FakeRoom()
    ends = []
  })
  afterEach(() => vi.useRealTimers())
  const watch = () =>
    watchCall(room, { emptyRoomTimeoutMs: 60_000, onEnd: (reason) => ends.push(reason) })

  it('ends the call when the visitor leaves', () => {
    room.join('visitor')
    watch()
    room.leave('visitor')
    expect(ends).toEqual(['visitor_left'])
  })

  it('keeps the call while another person is still in the room', () => {
    room.join('visitor')
    room.join('colleague')
    watch()
    room.leave('visitor')
    expect(ends).toEqual([])
    room.leave('colleague')
    expect(ends).toEqual(['visitor_left'])
  })

  it('machines (another agent, a recorder) do not keep an empty room alive', () => {
    room.join('visitor')
    room.join('recorder', EGRESS)
    room.join('other-agent', AGENT)
    watch()
    room.leave('visitor')
    expect(ends).toEqual(['visitor_left'])
  })

  it('leaves a room nobody joins', () => {
    watch()
    vi.advanceTimersByTime(59_999)
    expect(ends).toEqual([])
    vi.advanceTimersByTime(1)
    expect(ends).toEqual(['nobody_joined'])
  })

  it('a visitor joining in time cancels the empty-room timeout', () => {
    watch()
    vi.advanceTimersByTime(30_000)
    room.join('visitor')
    vi.advanceTimersByTime(120_000)
    expect(ends).toEqual([])
  })

  it('ends when the agent loses the room, and only once', () => {
    room.join('visitor')
    watch()
    room.emit('disconnected')
    room.leave('visitor')
    room.emit('disconnected')
    expect(ends).toEqual(['room_disconnected'])
    expect(room.listenerCount('participantDisconnected')).toBe(0)
  })

  it('stop() detaches without ending', () => {
    const w = watch()
    w.stop()
    vi.advanceTimersByTime(120_000)
    expect(ends).toEqual([])
    expect(room.listenerCount('participantConnected')).toBe(0)
  })
})
