import { monitorEventLoopDelay } from 'node:perf_hooks'

/** Memory of a bench server process, after a full garbage collection when `--expose-gc` is on. */
export interface MemorySample {
  rss: number
  heapUsed: number
  external: number
  arrayBuffers: number
}

/** What a bench server child answers on its IPC channel. */
export type ChildRequest =
  | { id: number; type: 'memory' }
  | { id: number; type: 'loop' }
  | { id: number; type: 'cpu' }
  | { id: number; type: 'faults' }
  | { id: number; type: 'stop' }

/**
 * Child side of the bench server protocol: tells the parent the port, answers memory samples,
 * CPU time used (µs), page faults so far and event-loop delay, stops on request (and when the
 * parent goes away).
 */
export function serveIpc(port: number, stop: () => Promise<void>): void {
  const send = (m: object) => process.send?.(m)
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  let stopping = false
  const shutdown = async () => {
    if (stopping) return
    stopping = true
    try {
      await stop()
    } finally {
      // Let --cpu-prof write its profile: a normal exit, not a kill.
      process.exit(0)
    }
  }
  process.on('message', async (m: ChildRequest) => {
    if (m.type === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc
      if (gc) {
        gc()
        await new Promise((r) => setImmediate(r))
        gc()
      }
      const u = process.memoryUsage()
      send({
        id: m.id,
        sample: {
          rss: u.rss,
          heapUsed: u.heapUsed,
          external: u.external,
          arrayBuffers: u.arrayBuffers,
        },
      })
    } else if (m.type === 'loop') {
      // Event-loop delay since the last question (ms), then start over.
      send({ id: m.id, loop: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 } })
      loop.reset()
    } else if (m.type === 'cpu') {
      const u = process.cpuUsage()
      send({ id: m.id, cpu: u.user + u.system })
    } else if (m.type === 'faults') {
      const u = process.resourceUsage()
      send({ id: m.id, faults: u.minorPageFault + u.majorPageFault })
    } else if (m.type === 'stop') {
      send({ id: m.id })
      await shutdown()
    }
  })
  process.on('disconnect', () => void shutdown())
  send({ type: 'listening', port })
}
