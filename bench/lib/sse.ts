import { type ClientRequest, request } from 'node:http'

/** An open server-sent events stream read over plain `node:http`. */
export interface SseStream {
  close(): void
}

/**
 * Opens `url` as an event stream with `headers` and calls `onData` with the JSON of each `data:`
 * line as it arrives. Resolves once the first event arrived (a live channel says `ready`).
 */
export function openSse(
  url: string,
  headers: Record<string, string>,
  onData: (data: Record<string, unknown>) => void,
  timeoutMs = 30_000,
): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined
    const timer = setTimeout(() => {
      req?.destroy()
      reject(new Error(`no event from ${url} in ${timeoutMs} ms`))
    }, timeoutMs)
    let first = true
    req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer)
        res.resume()
        reject(new Error(`${url} answered ${res.statusCode}`))
        return
      }
      res.setEncoding('utf8')
      let buffer = ''
      res.on('data', (d: string) => {
        buffer += d
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          for (const line of block.split('\n')) {
            if (line.startsWith('data: ')) onData(JSON.parse(line.slice(6)))
          }
          if (first) {
            first = false
            clearTimeout(timer)
            resolve({ close: () => req?.destroy() })
          }
          end = buffer.indexOf('\n\n')
        }
      })
      res.on('error', () => {})
    })
    req.on('error', (err) => {
      clearTimeout(timer)
      if (first) reject(err)
    })
    req.end()
  })
}
