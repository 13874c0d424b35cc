import { type StandbyServer, spawnStandby } from '../lib/standby.ts'

/**
 * Standby servers loaded ahead of the kills: `ahead` are always loading or waiting, so the next
 * incarnation after a SIGKILL has its code loaded (a restart takes what opening the database,
 * migrating and listening take) without a hundred processes sitting in memory for a long run.
 */
export interface StandbyPool {
  /** The next loaded standby (waits when none is ready yet); another starts loading. */
  next(): Promise<StandbyServer>
  /** Every standby spawned so far (to stop or kill at the end). */
  all(): StandbyServer[]
  /** Kills the standbys still loading or waiting. */
  drain(): Promise<void>
}

export function standbyPool(
  env: Record<string, string>,
  bundle: string | undefined,
  opts: { ahead: number; total: number },
): StandbyPool {
  const spawned: StandbyServer[] = []
  const queue: Promise<StandbyServer>[] = []
  let started = 0
  const fill = () => {
    // No more than the run needs: a spare loaded at the end is CPU taken from the run.
    while (queue.length < opts.ahead && started < opts.total) {
      started++
      const p = spawnStandby(env, bundle).then((s) => {
        spawned.push(s)
        return s
      })
      p.catch(() => {})
      queue.push(p)
    }
  }
  return {
    async next() {
      fill()
      const s = await queue.shift()!
      fill()
      return s
    },
    all: () => spawned,
    async drain() {
      const waiting = queue.splice(0)
      const ready = await Promise.allSettled(waiting)
      await Promise.all(ready.map((r) => (r.status === 'fulfilled' ? r.value.kill() : undefined)))
    },
  }
}
