import { describe, expect, it, vi } from 'vitest'
import { InternalApiConnectionError, InternalApiError } from './internal-client.ts'
import { WriteBack } from './write-back.ts'

const logger = () => ({ warn: vi.fn(), error: vi.fn() })

describe('WriteBack', () => {
  it('runs writes one at a time in queue order', async () => {
    const wb = new WriteBack(logger())
    const order: string[] = []
    let releaseFirst!: () => void
    const first = new Promise<void>((r) => {
      releaseFirst = r
    })
    void wb.enqueue('a', async () => {
      await first
      order.push('a')
    })
    void wb.enqueue('b', async () => {
      order.push('b')
    })
    await Promise.resolve()
    expect(order).toEqual([])
    releaseFirst()
    await wb.idle()
    expect(order).toEqual(['a', 'b'])
  })

  it('retries transient failures (connection, 5xx, 429), then succeeds', async () => {
    const log = logger()
    const wb = new WriteBack(log, { retryDelaysMs: [0, 0, 0] })
    const errors = [
      new InternalApiConnectionError('down'),
      new InternalApiError(503, 'busy'),
      new InternalApiError(429, 'slow down'),
    ]
    const write = vi.fn(async () => {
      const e = errors.shift()
      if (e) throw e
    })
    await wb.enqueue('x', write)
    expect(write).toHaveBeenCalledTimes(4)
    expect(log.error).not.toHaveBeenCalled()
  })

  it('does not retry a client error, logs it and keeps the queue going', async () => {
    const log = logger()
    const wb = new WriteBack(log, { retryDelaysMs: [0, 0] })
    const bad = vi.fn(async () => {
      throw new InternalApiError(404, 'Conversation not found')
    })
    const next = vi.fn(async () => {})
    void wb.enqueue('bad', bad)
    await wb.enqueue('next', next)
    expect(bad).toHaveBeenCalledTimes(1)
    expect(next).toHaveBeenCalledTimes(1)
    expect(log.error).toHaveBeenCalledTimes(1)
  })

  it('gives up after the last retry', async () => {
    const log = logger()
    const wb = new WriteBack(log, { retryDelaysMs: [0, 0] })
    const write = vi.fn(async () => {
      throw new InternalApiConnectionError('down')
    })
    await wb.enqueue('x', write)
    expect(write).toHaveBeenCalledTimes(3)
    expect(log.error).toHaveBeenCalledTimes(1)
  })
})
