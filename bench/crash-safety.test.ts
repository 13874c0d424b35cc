import { describe, expect, it } from 'vitest'
import { runCrashSafety } from './crash-safety.ts'

// The short variant of `npm run reliability`'s crash runs: two SIGKILLs under REST and WebSocket
// writers, on SQLite and (when available) PostgreSQL.
const pgUrl = process.env.TEST_DATABASE_URL
if (process.env.CI === 'true' && !pgUrl) throw new Error('CI=true but TEST_DATABASE_URL is not set')

describe('crash safety under SIGKILL (short run)', () => {
  it.each([
    ['sqlite' as const, true],
    ['postgres' as const, pgUrl !== undefined],
  ])(
    '%s: every acknowledged message is stored exactly once',
    async (dialect, available) => {
      if (!available) return
      const r = await runCrashSafety({
        dialect,
        ...(pgUrl ? { pgUrl } : {}),
        kills: 2,
        restWriters: 3,
        wsWriters: 2,
        upMs: [300, 800],
      })
      expect(r.kills).toBe(2)
      // The kills cut requests in flight: the writers had to retry.
      expect(r.retries).toBeGreaterThan(0)
      expect(r.acknowledged).toBeGreaterThan(0)
      expect({
        stored: r.stored,
        lost: r.lost,
        lostReplies: r.lostReplies,
        duplicated: r.duplicated,
        integrity: r.integrity,
      }).toEqual({
        stored: r.acknowledged,
        lost: 0,
        lostReplies: 0,
        duplicated: 0,
        integrity: expect.stringMatching(/^ok/),
      })
    },
    240_000,
  )
})
