import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { WidgetConfigUpdate } from '@aurion/contract'
import {
  freeLoopbackPort,
  provisionTenant,
  seedDemoArticles,
  startTestServer,
  type TestConsoleUser,
  type TestServer,
} from '@aurion/server/test-support'

/** A free loopback port (the kernel's pick; released again right away). */
export const freePort = freeLoopbackPort

/** A widget tenant, configured through the real admin API. */
export interface WidgetTenant {
  tenantId: string
  publicKey: string
  /** API key with config, knowledge and conversations scopes. */
  apiKey: string
  /** `embed_snippet` from `GET /api/v1/voice-widget/config`: what a customer pastes. */
  snippet: string
  /** A console user of the tenant, when asked for. */
  consoleUser?: TestConsoleUser
}

export interface RunningServer extends TestServer {
  /**
   * Creates a tenant and PUTs its widget config (required fields default to sane values);
   * `consoleUser` adds a console user, `articles` the demo help-desk articles.
   */
  createTenant(
    config?: Partial<WidgetConfigUpdate>,
    name?: string,
    opts?: { consoleUser?: boolean; articles?: boolean },
  ): Promise<WidgetTenant>
  /** PUT /api/v1/voice-widget/config for a tenant (merging into its required fields). */
  configure(t: WidgetTenant, config: Partial<WidgetConfigUpdate>): Promise<void>
  /** Gives a tenant the demo help-desk articles the built-in agent answers from. */
  seedArticles(t: WidgetTenant): Promise<number>
}

/**
 * The real application (`buildApp`, every route, migrations) listening on a random loopback
 * port, on a SQLite file in a fresh temp data dir. `env` adds or overrides variables.
 */
export async function startServer(
  opts: { env?: Record<string, string> } = {},
): Promise<RunningServer> {
  const server = await startTestServer(opts.env ? { env: opts.env } : {})
  const { url } = server

  const api = async (apiKey: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'X-API-Key': apiKey, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const json = (await res.json()) as Record<string, unknown>
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
    return json
  }
  const configure = async (
    t: Pick<WidgetTenant, 'apiKey'>,
    config: Partial<WidgetConfigUpdate>,
  ) => {
    const current = await api(t.apiKey, 'GET', '/api/v1/voice-widget/config')
    await api(t.apiKey, 'PUT', '/api/v1/voice-widget/config', {
      enabled: current.enabled,
      display_title: current.display_title,
      launcher_label: current.launcher_label,
      ...config,
    })
  }
  return Object.assign(server, {
    async createTenant(
      config: Partial<WidgetConfigUpdate> = {},
      name = 'Acme',
      extra: { consoleUser?: boolean; articles?: boolean } = {},
    ): Promise<WidgetTenant> {
      const t = await provisionTenant(server.db, { name, config: { enabled: true }, ...extra })
      await configure(t, { enabled: true, ...config })
      const full = await api(t.apiKey, 'GET', '/api/v1/voice-widget/config')
      return {
        tenantId: t.tenantId,
        publicKey: String(full.public_widget_key),
        apiKey: t.apiKey,
        snippet: String(full.embed_snippet),
        ...(t.consoleUser ? { consoleUser: t.consoleUser } : {}),
      }
    },
    configure,
    seedArticles: (t: WidgetTenant) => seedDemoArticles(server.db, t.tenantId),
  })
}

export interface HostSite {
  /** `http://127.0.0.1:<port>`: the customer's site, another origin than the API. */
  origin: string
  /** Serves `html` at `path` (default `/`). */
  setPage(html: string, path?: string): void
  /** Extra response headers for a path (e.g. a Content-Security-Policy). */
  setHeaders(path: string, headers: Record<string, string>): void
  close(): Promise<void>
}

/** A plain web server on its own port: the site that pastes the snippet. */
export async function startHostSite(): Promise<HostSite> {
  const pages = new Map<string, string>()
  const headers = new Map<string, Record<string, string>>()
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const html = pages.get(path)
    if (html === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
      return
    }
    res
      .writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        ...headers.get(path),
      })
      .end(html)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    setPage(html, path = '/') {
      pages.set(path, html)
    },
    setHeaders(path, h) {
      headers.set(path, h)
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** A customer page: some content of its own and the snippet pasted in the head, verbatim. */
export function hostPage(snippet: string, opts: { head?: string; body?: string } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme — customer site</title>
<style>
  body { margin: 0; font: 16px/1.6 Georgia, serif; color: #222; background: #fafaf7; }
  header { padding: 20px 48px; background: #1f2937; color: #f9fafb; font: 600 18px system-ui, sans-serif; }
  main { max-width: 760px; padding: 40px 48px; }
  h1 { font-size: 40px; margin: 0 0 12px; }
  .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 28px; }
  .grid div { height: 120px; border-radius: 12px; background: #e7e5e4; }
</style>
${opts.head ?? ''}
${snippet}
</head>
<body>
<header>Acme Corp</header>
<main>
  <h1>Welcome to Acme</h1>
  <p>We make everything. Our support team — and our assistant in the corner — are here to help you with orders, accounts and more.</p>
  <div class="grid"><div></div><div></div><div></div><div></div></div>
  ${opts.body ?? ''}
</main>
</body>
</html>`
}
