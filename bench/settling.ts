/**
 * How a fresh Aurion server settles under the embed config load: starts it `starts` times and,
 * for each start, loads it in `chunks` consecutive 3-second chunks, printing per chunk the
 * requests per second, the server's CPU time per request (µs) and the page faults it took. A
 * chunk with thousands of faults is the heap still growing onto fresh pages; what follows is the
 * state `bench/http.ts` measures after its warm-up (see docs/performance.md, "A fresh server's
 * first seconds").
 *
 *   npx tsx bench/settling.ts [starts=5] [chunks=6]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { aurionEnv, embedConfigRequest } from './http.ts'
import { load } from './lib/autocannon.ts'
import { forkServer } from './lib/child.ts'
import { seedStore } from './lib/seed.ts'

const CHUNK_SEC = 3

async function oneStart(chunks: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'aurion-settling-'))
  const tenant = await seedStore({ dialect: 'sqlite', file: join(dir, 'aurion.db') })
  const server = await forkServer('aurion', aurionEnv(dir))
  try {
    const request = embedConfigRequest({ tenant_id: tenant.tenantId, public_key: tenant.publicKey })
    const cells: string[] = []
    for (let i = 0; i < chunks; i++) {
      const cpu = await server.cpu()
      const faults = await server.faults()
      const r = await load(`http://127.0.0.1:${server.port}`, request, { durationSec: CHUNK_SEC })
      const perRequest = ((await server.cpu()) - cpu) / (r.rps * CHUNK_SEC)
      const took = (await server.faults()) - faults
      cells.push(`${Math.round(r.rps)}/s ${Math.round(perRequest)} µs ${took} faults`)
    }
    return cells.join(' | ')
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

const [starts = 5, chunks = 6] = process.argv.slice(2).map(Number)
console.log(
  `each chunk: ${CHUNK_SEC} s of embed config load (requests/s, server CPU per request, page faults)`,
)
for (let s = 1; s <= starts; s++) console.log(`start ${s}: ${await oneStart(chunks)}`)
