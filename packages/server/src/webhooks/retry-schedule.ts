/**
 * When to try a failed delivery again: exponential backoff (×3 from `baseMs`, capped at
 * 7200 × `baseMs`) with ±20 % jitter so endpoints recovering from an outage are not hit by every
 * retry at once. With the default 5 s: 5 s, 15 s, 45 s, 2¼ min, 7 min, 20 min, 1 h, 3 h, 9 h,
 * 10 h — the last of {@link MAX_ATTEMPTS} attempts about a day after the first.
 */
export const MAX_ATTEMPTS = 11

/** Delay after failed attempt number `attempt` (1-based), or undefined when it was the last. */
export function retryDelayMs(
  attempt: number,
  baseMs: number,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= MAX_ATTEMPTS) return undefined
  const plain = Math.min(baseMs * 3 ** (attempt - 1), baseMs * 7200)
  return Math.round(plain * (0.8 + 0.4 * random()))
}

/** An endpoint whose deliveries all failed for this long is switched off (a day by default). */
export function failingWindowMs(baseMs: number): number {
  return baseMs * 17_280
}
