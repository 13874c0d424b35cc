import { describe, expect, it, vi } from 'vitest'
import { CallEnd, type CallEndDeps } from './call-end.ts'

const target = { tenantId: 't1', conversationId: 'c1', threadId: 'th1' }

function setup(opts: { report?: CallEndDeps['report']; closeFails?: boolean } = {}) {
  const events: string[] = []
  let now = 1_000
  let resolveShutdown!: (reason: string) => void
  const shutdownReason = new Promise<string>((r) => {
    resolveShutdown = r
  })
  const report = vi.fn(
    opts.report ??
      (async (_t, seconds: number) => {
        events.push(`report ${seconds}`)
      }),
  )
  const logger = { info: vi.fn(), warn: vi.fn() }
  const ending = new CallEnd({
    report,
    shutdown: (reason) => {
      events.push(`shutdown ${reason}`)
      resolveShutdown(reason)
    },
    logger,
    now: () => now,
  })
  const call = {
    close: vi.fn(async () => {
      events.push('close')
      if (opts.closeFails) throw new Error('session broke')
    }),
  }
  return { ending, call, events, report, logger, shutdownReason, tick: (ms: number) => (now += ms) }
}

describe('CallEnd', () => {
  it('closes the call, reports it once with its duration, then leaves the room', async () => {
    const { ending, call, events, report, shutdownReason, tick } = setup()
    ending.started(target, call)
    tick(42_000)
    ending.end('handed off to a person')
    ending.end('visitor_left')
    expect(await shutdownReason).toBe('handed off to a person')
    // The framework's shutdown callback runs after the job's own shutdown: no second report.
    await ending.shutdown()
    expect(report).toHaveBeenCalledTimes(1)
    expect(report).toHaveBeenCalledWith(target, 42)
    expect(events).toEqual(['close', 'report 42', 'shutdown handed off to a person', 'close'])
  })

  it('the framework ending the job first (worker shutdown) reports too, once', async () => {
    const { ending, call, report } = setup()
    ending.started(target, call)
    await ending.shutdown()
    await ending.shutdown()
    expect(report).toHaveBeenCalledTimes(1)
  })

  it('a call that never started is not reported', async () => {
    const { ending, report, shutdownReason } = setup()
    ending.end('nobody_joined')
    expect(await shutdownReason).toBe('nobody_joined')
    await ending.shutdown()
    expect(report).not.toHaveBeenCalled()
    expect(ending.ended).toBe(true)
  })

  it('a failed report or close is logged and the job still leaves', async () => {
    const { ending, call, logger, shutdownReason, report } = setup({
      closeFails: true,
      report: async () => {
        throw new Error('server down')
      },
    })
    ending.started(target, call)
    ending.end('visitor_left')
    expect(await shutdownReason).toBe('visitor_left')
    expect(report).toHaveBeenCalledTimes(1)
    expect(logger.warn.mock.calls.map((c) => c[1])).toEqual([
      'the voice session did not close cleanly',
      'could not report the end of the call',
    ])
  })
})
