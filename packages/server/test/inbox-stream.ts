import { expect } from 'vitest'

/** The console's live channel read over real HTTP: each `data:` event, in order. */
export class EventStream {
  private readonly events: Record<string, unknown>[] = []
  private wake: (() => void) | undefined
  private readonly abort = new AbortController()

  static async open(url: string, token: string): Promise<EventStream> {
    const s = new EventStream()
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: s.abort.signal,
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    void s.read(res.body!)
    return s
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      const reader = body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        buffer += decoder.decode(value, { stream: true })
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          for (const line of block.split('\n'))
            if (line.startsWith('data: ')) this.events.push(JSON.parse(line.slice(6)))
          this.wake?.()
          end = buffer.indexOf('\n\n')
        }
      }
    } catch {
      // Aborted by close().
    }
  }

  /** The first event (from the start) that matches; rejects after `timeoutMs` without one. */
  async find(
    match: (e: Record<string, unknown>) => boolean,
    timeoutMs = 20_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const hit = this.events.find(match)
      if (hit) return hit
      const left = deadline - Date.now()
      if (left <= 0)
        throw new Error(
          `no matching inbox event in ${timeoutMs} ms: ${JSON.stringify(this.events)}`,
        )
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** Every event received so far, in order. */
  get received(): readonly Record<string, unknown>[] {
    return this.events
  }

  close(): void {
    this.abort.abort()
  }
}
