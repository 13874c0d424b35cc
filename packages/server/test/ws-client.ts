import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import WebSocket from 'ws'

export type Frame = Record<string, unknown> & { type: string }

/**
 * A `ws` client for tests: records every frame and the close, and lets a test await the next
 * frames in order (no sleeps).
 */
export class TestSocket {
  readonly frames: Frame[] = []
  private cursor = 0
  private wake: (() => void) | undefined
  readonly closed: Promise<{ code: number; reason: string }>
  readonly opened: Promise<void>
  pings = 0

  constructor(
    readonly ws: WebSocket,
    onPing?: () => void,
  ) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame)
      this.wake?.()
    })
    ws.on('ping', () => {
      this.pings++
      onPing?.()
    })
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`unexpected HTTP ${res.statusCode}`)),
      )
    })
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() })
        this.wake?.()
      })
    })
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** The next frame not consumed yet (waits for it). */
  async next(): Promise<Frame> {
    for (;;) {
      const f = this.frames[this.cursor]
      if (f) {
        this.cursor++
        return f
      }
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('socket closed')
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
  }

  /** Frames up to and including the first one of `type`. */
  async until(type: string): Promise<Frame[]> {
    const out: Frame[] = []
    for (;;) {
      const f = await this.next()
      out.push(f)
      if (f.type === type) return out
    }
  }

  /** Asserts nothing else arrived before a ping round trip. */
  async pongNext(): Promise<Frame> {
    this.send({ type: 'ping' })
    return this.next()
  }

  /**
   * Waits until the server has authorized the socket (and it follows its thread): pings are
   * answered at once, frames only then, so an invalid frame's `validation_error` says so.
   */
  async ready(): Promise<void> {
    this.send({})
    const f = await this.next()
    if (f.type !== 'error' || f.code !== 'validation_error')
      throw new Error(`expected a validation_error frame, got ${JSON.stringify(f)}`)
  }

  close(): void {
    this.ws.close()
  }
}

/** Listens on a random port of 127.0.0.1 (once) and returns the ws:// base URL. */
export async function listenForTests(app: FastifyInstance): Promise<string> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return `ws://127.0.0.1:${port}`
}

/** Opens a test socket; `headers` may carry Origin and X-Forwarded-For. */
export function openSocket(
  url: string,
  headers: Record<string, string>,
  opts: { autoPong?: boolean; maxPayload?: number } = {},
): TestSocket {
  const ws = new WebSocket(url, {
    headers,
    autoPong: opts.autoPong ?? true,
    maxPayload: opts.maxPayload ?? 1024 * 1024,
  })
  return new TestSocket(ws)
}
