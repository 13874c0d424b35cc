import { median } from './stats.ts'

/** The figures of one Lighthouse run the bench reports. */
export interface LighthouseFigures {
  /** Total blocking time (ms, simulated mobile). */
  tbt: number
  /** Main-thread work (ms, `mainthread-work-breakdown`). */
  mainThread: number
  /** Bytes transferred (`total-byte-weight`). */
  bytes: number
  /** Performance score, 0–100. */
  score: number
}

export const FIGURES = ['tbt', 'mainThread', 'bytes', 'score'] as const

/** Median of each figure over the runs of one variant. */
export function medians(runs: LighthouseFigures[]): LighthouseFigures {
  if (runs.length === 0) throw new Error('no runs')
  const m = (k: keyof LighthouseFigures) => median(runs.map((r) => r[k]))
  return { tbt: m('tbt'), mainThread: m('mainThread'), bytes: m('bytes'), score: m('score') }
}

/** What a variant adds to the page without a widget: difference of the medians (a score lost is negative). */
export function adds(variant: LighthouseFigures, page: LighthouseFigures): LighthouseFigures {
  return {
    tbt: variant.tbt - page.tbt,
    mainThread: variant.mainThread - page.mainThread,
    bytes: variant.bytes - page.bytes,
    score: variant.score - page.score,
  }
}

/**
 * The order of the variants in round `i`: rotated each round, so every variant runs first,
 * second and third once in three rounds (a busy machine's drift does not favour one).
 */
export function roundOrder<T>(variants: readonly T[], i: number): T[] {
  const k = i % variants.length
  return [...variants.slice(k), ...variants.slice(0, k)]
}
