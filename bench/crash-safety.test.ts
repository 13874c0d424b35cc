import { describe, expect, it } from 'vitest'
import { total } from './crash/verify.ts'
import { runCrashSafety } from './crash-safety.ts'

// The short variant of `npm run reliability`'s crash runs: three SIGKILLs under visitor (REST
// and WebSocket), hand-off and person writers with a webhook receiver, on SQLite and (when
// available) PostgreSQL.
const pgUrl = process.env.TEST_DATABASE_URL
if (process.env.CI === 'true' && !pgUrl) throw new Error('CI=true but TEST_DATABASE_URL is not set')

describe('crash safety under SIGKILL (short run)', () => {
  it.each([
    ['sqlite' as const, true],
    ['postgres' as const, pgUrl !== undefined],
  ])(
    '%s: every acknowledged write stored once, every event delivered',
    async (dialect, available) => {
      if (!available) return
      const r = await runCrashSafety({
        dialect,
        ...(pgUrl ? { pgUrl } : {}),
        kills: 3,
        restWriters: 2,
        wsWriters: 1,
        handoffWriters: 1,
        agentWriters: 1,
        upMs: [300, 800],
      })
      expect(r.kills).toBe(3)
      // The kills cut requests in flight: the writers had to retry.
      expect(r.retries).toBeGreaterThan(0)
      expect(r.acknowledged.visitor).toBeGreaterThan(0)
      expect(r.acknowledged.handoffs).toBeGreaterThan(0)
      expect({
        stored: r.stored.visitor,
        agent: r.stored.agent,
        lost: total(r.lost),
        duplicated: total(r.duplicated),
        delivered: r.webhooks.delivered,
        integrity: r.integrity,
        samples: r.samples,
      }).toEqual({
        stored: r.acknowledged.visitor,
        agent: r.acknowledged.agent,
        lost: 0,
        duplicated: 0,
        delivered: r.webhooks.events,
        integrity: expect.stringMatching(/^ok/),
        samples: [],
      })
    },
    // About a minute on an idle machine; minutes when the machine is shared.
    600_000,
  )
})
