/** Waits of one histogram bin: how many, and their sum (ms). */
export interface WaitBin {
  /** The bin's lower bound (ms), as {@link waitBin} gives it. */
  bin: number
  n: number
  totalMs: number
}

/**
 * The bin of a wait of `ms` milliseconds (as migration 0031 computes it in SQL): cut down to a
 * multiple of 100 ms below 100 s, then to three significant digits (a multiple of 1 s up to
 * 1,000 s, of 10 s up to 10,000 s, …). A bin is at most 100 ms or 1 % of its waits wide.
 */
export function waitBin(ms: number): number {
  let unit = 100
  for (let limit = 100_000; ms >= limit && unit < 10_000_000; limit *= 10) unit *= 10
  return ms - (ms % unit)
}

/** Adds single waits (ms) to a histogram, bin by bin. */
export function addWaits(bins: WaitBin[], waits: readonly number[]): WaitBin[] {
  const byBin = new Map(bins.map((b) => [b.bin, { ...b }]))
  for (const w of waits) {
    const bin = waitBin(w)
    const b = byBin.get(bin)
    if (b) {
      b.n++
      b.totalMs += w
    } else byBin.set(bin, { bin, n: 1, totalMs: w })
  }
  return [...byBin.values()]
}

/**
 * The median (seconds) of the waits a histogram holds, null without any: the mean of the middle
 * two for an even count, each taken as the mean of its bin's waits. Exact when each of those
 * bins holds equal waits (and always for one wait per bin); otherwise within the bin's width.
 */
export function medianOfBins(bins: readonly WaitBin[]): number | null {
  const sorted = bins.filter((b) => b.n > 0).sort((a, b) => a.bin - b.bin)
  const n = sorted.reduce((s, b) => s + b.n, 0)
  if (n === 0) return null
  const ranks = [Math.floor((n + 1) / 2), Math.floor((n + 2) / 2)]
  const values: number[] = []
  let seen = 0
  for (const b of sorted) {
    seen += b.n
    while (values.length < 2 && ranks[values.length]! <= seen) values.push(b.totalMs / b.n)
    if (values.length === 2) break
  }
  // To the millisecond, as the stored timestamps.
  return Math.round((values[0]! + values[1]!) / 2) / 1000
}
