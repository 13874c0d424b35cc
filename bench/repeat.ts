/**
 * `npm run bench -- --repeat=5 …`: the same bench run N times in a row, each a fresh process (as
 * a user would run it again), then every figure's spread over the runs: its value and ratio at
 * the minimum, median and maximum, and in how many runs its goal held. A figure that holds only
 * in some runs shows here. Each run's own table is printed as it ends; the runs are kept in
 * bench/results/repeat.json.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type BenchRow, round } from './lib/report.ts'
import { median } from './lib/stats.ts'

const ROOT = resolve(import.meta.dirname, '..')

export interface Spread {
  section: string
  name: string
  unit: string
  values: number[]
  ratios: number[]
  goal?: string | undefined
  /** Runs whose goal held, of those that had the figure with a goal. */
  passed?: number | undefined
  judged?: number | undefined
}

/** Every figure of the runs, in the order it first appeared, with its values per run. */
export function spreadOf(runs: BenchRow[][]): Spread[] {
  const byKey = new Map<string, Spread>()
  for (const rows of runs)
    for (const r of rows) {
      // Figure names may carry counts that vary by run ("… (6000 deliveries)"): group without them.
      const name = r.name.replace(/\s*\([^)]*\d[^)]*\)\s*$/, '')
      const key = `${r.section}\u0000${name}`
      let s = byKey.get(key)
      if (!s) {
        s = { section: r.section, name, unit: r.unit, values: [], ratios: [], goal: r.goal }
        byKey.set(key, s)
      }
      s.values.push(r.value)
      if (r.ratio !== undefined) s.ratios.push(r.ratio)
      if (r.pass !== undefined) {
        s.judged = (s.judged ?? 0) + 1
        s.passed = (s.passed ?? 0) + (r.pass ? 1 : 0)
      }
    }
  return [...byKey.values()]
}

const range = (xs: number[], unit = '') => {
  if (xs.length === 0) return ''
  const lo = Math.min(...xs)
  const hi = Math.max(...xs)
  return `${round(lo)} / ${round(median(xs))} / ${round(hi)}${unit}`
}

/** The spread as a plain-text table: min / median / max of value and ratio, goal held in k of n. */
export function formatSpread(spread: Spread[]): string {
  const header = [
    'section',
    'figure',
    'value min / median / max',
    'ratio min / median / max',
    'goal',
    'held',
  ]
  const lines = spread.map((s) => [
    s.section,
    s.name,
    range(s.values, s.unit ? ` ${s.unit}` : ''),
    range(s.ratios, '×'),
    s.goal ?? '',
    s.judged === undefined ? '' : `${s.passed}/${s.judged}`,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(line)].join('\n')
}

/** Runs `bench/run.ts args` `times` times, one process each; prints and writes the spread. */
export function runRepeated(times: number, args: string[]): number {
  const runs: BenchRow[][] = []
  const meta: unknown[] = []
  let failed = 0
  for (let i = 1; i <= times; i++) {
    console.log(`\n=== run ${i} of ${times} ===`)
    // A run that dies before writing its results must not count the previous run's twice.
    const latestFile = join(ROOT, 'bench/results/latest.json')
    rmSync(latestFile, { force: true })
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench/run.ts'), ...args],
      { stdio: 'inherit', cwd: ROOT, env: process.env },
    )
    if (r.status !== 0) failed++
    if (!existsSync(latestFile)) {
      console.log(`run ${i} wrote no results`)
      continue
    }
    const latest = JSON.parse(readFileSync(latestFile, 'utf8')) as {
      rows: BenchRow[]
      machine: unknown
      startedAt: string
    }
    runs.push(latest.rows)
    meta.push({ startedAt: latest.startedAt, machine: latest.machine })
  }
  const spread = spreadOf(runs)
  console.log(`\nSpread over ${times} runs:\n\n${formatSpread(spread)}\n`)
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
  writeFileSync(
    join(ROOT, 'bench/results/repeat.json'),
    `${JSON.stringify({ args, runs: meta.map((m, i) => ({ ...(m as object), rows: runs[i] })), spread }, null, 2)}\n`,
  )
  console.log('written to bench/results/repeat.json')
  return failed > 0 ? 1 : 0
}
