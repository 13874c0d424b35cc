import type { BusEvent, BusHandler, RealtimeBus } from './bus.ts'

/** Single-process bus: delivery is synchronous-in-a-microtask to every local subscriber. */
export function createMemoryBus(): RealtimeBus {
  const handlers = new Set<BusHandler>()
  return {
    async publish(event: BusEvent) {
      for (const h of [...handlers]) {
        try {
          h(event)
        } catch {
          // A failing subscriber must not stop delivery to the others.
        }
      }
    },
    subscribe(handler) {
      handlers.add(handler)
      return () => handlers.delete(handler)
    },
    async close() {
      handlers.clear()
    },
  }
}
