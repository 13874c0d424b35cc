import { defineConfig } from 'vitest/config'

/**
 * Tests that measure time (ratios, bounds, crash and fuzz runs) run after the rest, one file at a
 * time, so nothing else competes for the CPU while they measure.
 */
const TIMED = [
  'bench/**/*.test.ts',
  // Linear-time checks (ratios of run times).
  'packages/contract/test/linear-time.test.ts',
  'packages/contract/src/svg-safety.test.ts',
  'packages/server/src/input-regexes.test.ts',
  'packages/server/src/privacy/redact.test.ts',
  'packages/server/src/routes/admin-config/hostile-logo.test.ts',
]

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**', '**/dist/**', 'voice-agent/**'],
    testTimeout: 45_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Drops the PostgreSQL schemas kept for reuse when a file ends (test-support/database.ts).
    setupFiles: ['packages/server/test-support/pg-spares.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'e2e/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**', ...TIMED],
          // Most files wait on I/O (browsers, sockets, fsync): two at a time on two cores.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'timed',
          include: TIMED,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
