import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type LoadTarget, SETTLED_FAULTS_PER_SEC, warmUp } from './autocannon.ts'

let server: Server
let url: string
beforeAll(async () => {
  server = createServer((_req, res) => res.end('{}'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

/** A target whose page-fault counter grows by `perSecond[i]` during the i-th second of load. */
function scripted(perSecond: number[]): LoadTarget {
  let total = 0
  let seconds = -1
  return {
    url,
    request: { method: 'GET', path: '/' },
    // Asked once before the load and once after each second of it.
    faults: async () => {
      if (seconds >= 0) total += perSecond[seconds] ?? 0
      seconds++
      return total
    },
  }
}

const busy = SETTLED_FAULTS_PER_SEC * 10
const quiet = SETTLED_FAULTS_PER_SEC - 1

it('warms until two seconds in a row are quiet, even when the growth starts late', async () => {
  // Quiet, then growing (as a fresh server does), then settled.
  const target = scripted([quiet, busy, busy, quiet, quiet, busy])
  expect(await warmUp(target, { minSec: 1, settleSec: 20, connections: 2 })).toBe(5)
}, 30_000)

it('stops at settleSec when the server never settles', async () => {
  const target = scripted([busy, busy, busy, busy])
  expect(await warmUp(target, { minSec: 1, settleSec: 3, connections: 2 })).toBe(3)
}, 30_000)

it('warms minSec only, when no settling is asked for or the target counts no faults', async () => {
  const counted = scripted([busy, busy, busy])
  expect(await warmUp(counted, { minSec: 2, connections: 2 })).toBe(2)
  const uncounted: LoadTarget = { url, request: { method: 'GET', path: '/' } }
  expect(await warmUp(uncounted, { minSec: 1, settleSec: 10, connections: 2 })).toBe(1)
  expect(await warmUp(uncounted, { minSec: 0, connections: 2 })).toBe(0)
}, 30_000)
