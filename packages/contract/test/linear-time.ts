import { expect } from 'vitest'

/** The largest input every check ends on: 256 KB. */
export const ADVERSARIAL_BYTES = 256 * 1024

/**
 * Times below this many milliseconds pass whatever the baseline: a few microseconds are noise
 * on a busy machine (a benign input can be that fast), while a quadratic cost is seconds by the
 * largest sizes and fails there all the same.
 */
const NOISE_FLOOR_MS = 0.25

export interface LinearTimeOptions {
  /** How many times slower than the baseline an input may be, at every size (default 10). */
  factor?: number
  /** Largest size tried (default {@link ADVERSARIAL_BYTES}). */
  maxLength?: number
}

/**
 * Milliseconds of the fastest of several calls of `fn` (as many as fit in 5 ms, at least 3):
 * the fastest call is the one no other process or collector interrupted.
 */
function fastestCall(fn: () => unknown): number {
  let best = Number.POSITIVE_INFINITY
  const started = performance.now()
  for (let calls = 0; calls < 3 || performance.now() - started < 5; calls++) {
    const t = performance.now()
    fn()
    best = Math.min(best, performance.now() - t)
  }
  return best
}

/**
 * Asserts that `run` takes linear time on the inputs `adversarial(n)` builds (the patterns
 * that make a backtracking regex or a naive scanner go quadratic), on sizes 1 KB, 2 KB, … up to
 * 256 KB: at each size it may take at most `factor` times what it takes on `benign(n)`, an
 * input of the same size measured alongside. The bound is relative, so a slow or busy machine
 * slows both sides; each side is its fastest call of many, so a pause (GC, another process)
 * does not fail it. A super-linear cost outgrows any constant factor within the first sizes, so
 * the check fails there, in milliseconds, instead of hanging on 256 KB for minutes.
 */
export function expectLinearTime(
  run: (input: string) => unknown,
  adversarial: (n: number) => string,
  benign: (n: number) => string,
  opts: LinearTimeOptions = {},
): void {
  const factor = opts.factor ?? 10
  const max = opts.maxLength ?? ADVERSARIAL_BYTES
  // Compiled and optimized before anything is timed.
  for (let i = 0; i < 3; i++) run(benign(1024))
  for (let n = 1024; n <= max; n *= 2) {
    const bad = adversarial(n)
    const good = benign(n)
    expect(bad.length, 'adversarial input of the asked size').toBeGreaterThanOrEqual(n * 0.9)
    expect(good.length, 'benign input of the asked size').toBeGreaterThanOrEqual(n * 0.9)
    let base = Number.POSITIVE_INFINITY
    let worst = Number.POSITIVE_INFINITY
    for (let round = 0; round < 3; round++) {
      base = Math.min(
        base,
        fastestCall(() => run(good)),
      )
      worst = Math.min(
        worst,
        fastestCall(() => run(bad)),
      )
      if (worst <= Math.max(factor * base, NOISE_FLOOR_MS)) break
    }
    expect(
      worst,
      `${n} chars: ${worst.toFixed(3)} ms against a baseline of ${base.toFixed(3)} ms`,
    ).toBeLessThanOrEqual(Math.max(factor * base, NOISE_FLOOR_MS))
  }
}

/** `unit` repeated to about `n` characters. */
export const repeatTo = (unit: string, n: number): string =>
  unit.repeat(Math.max(1, Math.floor(n / unit.length)))
