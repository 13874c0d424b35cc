/**
 * Profiles the Aurion server under one of the bench loads: runs it with `--cpu-prof`, drives the
 * load, stops it gracefully and prints the functions with the most self time (and where the
 * profile was written, for Chrome DevTools / speedscope).
 *
 *   npx tsx bench/profile.ts embed-config|messages|ws-connect [seconds] [ENV=value …]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { aurionEnv, embedConfigRequest, messageRequests } from './http.ts'
import { load } from './lib/autocannon.ts'
import { forkServer } from './lib/child.ts'
import { seedStore } from './lib/seed.ts'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** Self time per function (and per package/file group), heaviest first. */
export function summarize(profile: CpuProfile, top = 30): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const fn = new Map<string, number>()
  const group = new Map<string, number>()
  const groupOf = new Map<number, string>()
  const root = resolve(import.meta.dirname, '..')
  for (const [id, t] of self) {
    const f = byId.get(id)!.callFrame
    const url = f.url.replace(/^file:\/\//, '')
    const where = url === '' ? '(native)' : relative(root, url)
    const name = `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}`
    fn.set(name, (fn.get(name) ?? 0) + t)
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)
    const g = m
      ? m[1]!
      : where.startsWith('node:')
        ? 'node core'
        : url === ''
          ? f.functionName || '(native)'
          : where
    group.set(g, (group.get(g) ?? 0) + t)
    groupOf.set(id, g)
  }
  // Inclusive time (self + callees) of every function, counted once per sample stack.
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const inclusive = new Map<string, number>()
  // Per node, once: both walks below ask for every frame of every sample.
  const labels = new Map<number, string>()
  const label = (id: number) => {
    let l = labels.get(id)
    if (l === undefined) {
      const f = byId.get(id)!.callFrame
      const url = f.url.replace(/^file:\/\//, '')
      l = `${f.functionName || '(anonymous)'}  ${url === '' ? '(native)' : relative(root, url)}:${f.lineNumber + 1}`
      labels.set(id, l)
    }
    return l
  }
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(cur)
      if (seen.has(l)) continue
      seen.add(l)
      inclusive.set(l, (inclusive.get(l) ?? 0) + (profile.timeDeltas[i] ?? 0))
    }
  })
  const ours = new Map([...inclusive].filter(([k]) => / {2}(packages|bench)\//.test(k)))
  // Each sample to the nearest function of ours on its stack (what the library, Node or SQLite
  // time was spent for); samples with none of ours stay with their own package or file.
  const nearest = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    let key = ''
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(cur)
      if (/ {2}packages\//.test(l)) {
        key = l
        break
      }
    }
    if (key === '') key = `(none of ours) ${groupOf.get(id) ?? ''}`
    nearest.set(key, (nearest.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`
  const list = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, t]) => `${pct(t)}  ${k}`)
      .join('\n')
  return `self time by function:\n${list(fn, top)}\n\nby package / file:\n${list(group, 20)}\n\ninclusive time of our own functions:\n${list(ours, top)}\n\nspent for (nearest function of ours):\n${list(nearest, top)}`
}

async function main() {
  const [what = 'embed-config', seconds = '8', ...rest] = process.argv.slice(2)
  const extra = Object.fromEntries(rest.map((kv) => kv.split('=', 2) as [string, string]))
  const dir = mkdtempSync(join(tmpdir(), 'aurion-profile-'))
  const profDir = resolve(import.meta.dirname, 'results/profiles')
  mkdirSync(profDir, { recursive: true })
  const before = new Set(readdirSync(profDir))
  const tenant = await seedStore({ dialect: 'sqlite', file: join(dir, 'aurion.db') })
  const server = await forkServer('aurion', aurionEnv(dir, extra), {
    execArgv: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
  })
  const auth = { tenant_id: tenant.tenantId, public_key: tenant.publicKey }
  const request = what === 'messages' ? messageRequests(auth).request : embedConfigRequest(auth)
  const r = await load(`http://127.0.0.1:${server.port}`, request, {
    durationSec: Number(seconds),
  })
  console.log(`${what}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`)
  await server.stop()
  rmSync(dir, { recursive: true, force: true })
  const file = readdirSync(profDir).find((f) => !before.has(f) && f.endsWith('.cpuprofile'))
  if (!file) throw new Error('no profile written')
  const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile
  console.log(`profile: ${join(profDir, file)}\n`)
  console.log(summarize(profile))
}

await main()
