import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One response of a fixture site. */
export interface SiteFile {
  body: string | Uint8Array
  /** Default `text/html; charset=utf-8`. */
  type?: string
  status?: number
  /** Extra headers (a redirect's `location`). */
  headers?: Record<string, string>
  /** After `body`, keeps sending HTML paragraphs until the client hangs up (a page that never ends). */
  endless?: boolean
}

/** A small website served on loopback, for crawl tests and the retrieval evaluation. */
export interface FixtureSite {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Paths requested, in order (with the conditional headers they came with). */
  requests: { path: string; ifNoneMatch: string | undefined }[]
  /** Bytes sent so far by endless pages (bounded when the client stops reading). */
  endlessBytes: number
  /** Resolves once no endless page is being sent (every client reading one has hung up). */
  endlessHungUp(): Promise<void>
  /** Replaces or adds a file (its ETag changes with its content). */
  set(path: string, file: SiteFile): void
  close(): Promise<void>
}

/**
 * Serves the given files (path → response) with an ETag per content: a request carrying the
 * current ETag in If-None-Match gets 304. Unknown paths are 404.
 */
export async function startFixtureSite(files: Record<string, SiteFile>): Promise<FixtureSite> {
  const table = new Map(Object.entries(files))
  const requests: FixtureSite['requests'] = []
  const state = { endlessBytes: 0, endlessOpen: 0 }
  let idle: (() => void)[] = []
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const inm = req.headers['if-none-match']
    requests.push({ path, ifNoneMatch: inm })
    const file = table.get(path)
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
      return
    }
    const body = typeof file.body === 'string' ? Buffer.from(file.body) : Buffer.from(file.body)
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`
    const status = file.status ?? 200
    if (status === 200 && inm === etag) {
      res.writeHead(304, { etag })
      res.end()
      return
    }
    res.writeHead(status, {
      'content-type': file.type ?? 'text/html; charset=utf-8',
      ...(status === 200 && !file.endless ? { etag } : {}),
      ...file.headers,
    })
    if (!file.endless) {
      res.end(body)
      return
    }
    state.endlessOpen++
    res.once('close', () => {
      state.endlessOpen--
      if (state.endlessOpen > 0) return
      for (const wake of idle) wake()
      idle = []
    })
    res.write(body)
    const chunk = Buffer.from(`<p>${'More text that never ends. '.repeat(2000)}</p>\n`)
    const pump = () => {
      while (!res.destroyed) {
        state.endlessBytes += chunk.length
        if (!res.write(chunk)) return void res.once('drain', pump)
      }
    }
    pump()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    requests,
    get endlessBytes() {
      return state.endlessBytes
    },
    endlessHungUp() {
      if (state.endlessOpen === 0) return Promise.resolve()
      return new Promise<void>((resolve) => idle.push(resolve))
    },
    set(path, file) {
      table.set(path, file)
    },
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** A page with site chrome around its content: navigation, a cookie banner, a footer. */
export function htmlPage(title: string, content: string, nav: string[] = []): string {
  const links = nav.map((href) => `<a href="${href}">${href}</a>`).join(' ')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} | Example</title></head>
<body><header><a href="/">Home</a><nav>${links}</nav></header>
<div id="cookie-consent">We use cookies to improve your experience. <button>Accept all cookies</button></div>
<main><article><h1>${title}</h1>${content}</article></main>
<footer><p>© Example Ltd · <a href="/">Legal</a> · Follow us everywhere</p></footer></body></html>`
}
