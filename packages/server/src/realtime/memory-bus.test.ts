import { describe, expect, it } from 'vitest'
import { collector, realtimeBusContract, revoked } from './bus.contract.ts'
import { createMemoryBus } from './memory-bus.ts'

realtimeBusContract('in-process bus', async () => {
  const bus = createMemoryBus()
  return { instance: async () => bus, close: () => bus.close() }
})

describe('in-process bus', () => {
  it('delivers before publish resolves: local sockets hear an event at once', async () => {
    const bus = createMemoryBus()
    const on = collector(bus)
    await bus.publish(revoked('t'))
    expect(on.events).toEqual([revoked('t')])
    await bus.close()
  })

  it('forgets its subscribers on close', async () => {
    const bus = createMemoryBus()
    const on = collector(bus)
    await bus.close()
    await bus.publish(revoked('after-close'))
    expect(on.events).toEqual([])
  })
})
