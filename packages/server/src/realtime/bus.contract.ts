import { afterEach, describe, expect, it } from 'vitest'
import type { BusEvent, RealtimeBus } from './bus.ts'

/**
 * Collects a bus's events as its subscribers see them; `next(n)` resolves once n have arrived
 * (an event, never a sleep: absence is proven by a later marker arriving first).
 */
export function collector(bus: RealtimeBus) {
  const events: BusEvent[] = []
  const waiters: { n: number; resolve: () => void }[] = []
  bus.subscribe((e) => {
    events.push(e)
    for (const w of waiters.splice(0)) {
      if (events.length >= w.n) w.resolve()
      else waiters.push(w)
    }
  })
  return {
    events,
    next(n: number, timeoutMs = 3000): Promise<BusEvent[]> {
      if (events.length >= n) return Promise.resolve(events)
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`got ${events.length} of ${n} events`)),
          timeoutMs,
        )
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(t)
            resolve(events)
          },
        })
      })
    },
  }
}

export const revoked = (tenantId: string): BusEvent => ({
  type: 'tenant.sockets_revoked',
  tenantId,
  reason: 'key_regenerated',
})

/**
 * What every {@link RealtimeBus} promises: run by each implementation's test file. `instance()`
 * joins one deployment: for a networked bus a new instance on the same channel, for the
 * in-process bus the process's one bus (every "instance" of a single process is that process).
 */
export function realtimeBusContract(
  name: string,
  open: () => Promise<{ instance(): Promise<RealtimeBus>; close(): Promise<void> }>,
): void {
  describe(`${name}: the RealtimeBus contract`, () => {
    let deployment: { instance(): Promise<RealtimeBus>; close(): Promise<void> } | undefined
    const join = async () => {
      deployment ??= await open()
      return deployment.instance()
    }
    afterEach(async () => {
      await deployment?.close()
      deployment = undefined
    })

    it('delivers an event once to every subscriber, the publishing instance’s included', async () => {
      const a = await join()
      const b = await join()
      const onA = collector(a)
      const alsoOnA = collector(a)
      const onB = collector(b)
      const event = revoked('t-1')
      await a.publish(event)
      // A duplicate would arrive before the marker that follows it.
      const marker = revoked('marker')
      await a.publish(marker)
      for (const c of [onA, alsoOnA, onB]) expect(await c.next(2)).toEqual([event, marker])
    })

    it('carries every kind of event intact', async () => {
      const a = await join()
      const onB = collector(await join())
      const events: BusEvent[] = [
        { type: 'tenant.config_changed', tenantId: 't-2' },
        revoked('t-2'),
        {
          type: 'thread.frame',
          tenantId: 't-2',
          threadId: 'thread_1',
          frame: { type: 'chunk', chunk: 'héllo 😀', index: 0, nested: { ok: true, n: null } },
          origin: 'ws:1',
        },
      ]
      for (const e of events) await a.publish(e)
      expect(await onB.next(3)).toEqual(events)
    })

    it('keeps the order of one instance’s events, even when not awaited', async () => {
      const a = await join()
      const onB = collector(await join())
      for (let i = 0; i < 200; i++) {
        void a.publish({
          type: 'thread.frame',
          tenantId: 't',
          threadId: 'th',
          frame: { type: 'chunk', index: i, chunk: `c${i}` },
        })
      }
      const got = await onB.next(200)
      expect(got.map((e) => (e.type === 'thread.frame' ? e.frame.index : -1))).toEqual(
        Array.from({ length: 200 }, (_, i) => i),
      )
    })

    it('keeps delivering to other subscribers when one throws', async () => {
      const a = await join()
      const b = await join()
      a.subscribe(() => {
        throw new Error('local subscriber bug')
      })
      b.subscribe(() => {
        throw new Error('subscriber bug')
      })
      const onA = collector(a)
      const onB = collector(b)
      await expect(a.publish(revoked('t-3'))).resolves.toBeUndefined()
      await a.publish(revoked('marker'))
      expect((await onA.next(2)).map((e) => e.tenantId)).toEqual(['t-3', 'marker'])
      expect((await onB.next(2)).map((e) => e.tenantId)).toEqual(['t-3', 'marker'])
    })

    it('stops delivering to a subscriber once it unsubscribes', async () => {
      const a = await join()
      const b = await join()
      const got: BusEvent[] = []
      const off = b.subscribe((e) => got.push(e))
      const onB = collector(b)
      await a.publish(revoked('first'))
      await onB.next(1)
      off()
      await a.publish(revoked('second'))
      await onB.next(2)
      expect(got.map((e) => e.tenantId)).toEqual(['first'])
    })
  })
}
