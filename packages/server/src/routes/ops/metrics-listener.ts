import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type ApiError, invalidMetricsToken, notFound } from '../../errors.ts'
import { bearerToken, internalTokenMatches } from '../../internal/internal-auth.ts'
import { metricsRegistry } from '../../metrics.ts'

/** Whether an `Authorization` header carries `Bearer <token>` (compared in constant time). */
export function metricsTokenMatches(header: string | undefined, token: string): boolean {
  const presented = bearerToken(header)
  return presented !== undefined && internalTokenMatches(presented, token)
}

export interface MetricsListener {
  /** The port actually bound. */
  port: number
  close(): Promise<void>
}

/**
 * `AURION_METRICS_PORT`: a listener of its own that serves `GET /metrics` (exactly that path)
 * and nothing else, so the public port and its reverse proxy never expose the metrics. With
 * `token`, it asks for the same Bearer token as the main port would.
 */
export async function startMetricsListener(opts: {
  port: number
  host: string
  token: string | undefined
}): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    serve(req, res, opts.token).catch(() => res.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function serve(req: IncomingMessage, res: ServerResponse, token: string | undefined) {
  const path = (req.url ?? '').split('?', 1)[0]
  if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD'))
    return sendError(res, notFound())
  if (token !== undefined && !metricsTokenMatches(req.headers.authorization, token))
    return sendError(res, invalidMetricsToken())
  const text = await metricsRegistry.metrics()
  res.writeHead(200, {
    'Content-Type': metricsRegistry.contentType,
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
  })
  res.end(req.method === 'HEAD' ? undefined : text)
}

function sendError(res: ServerResponse, error: ApiError): void {
  const json = JSON.stringify(error.toBody())
  res.writeHead(error.status, {
    ...error.headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  })
  res.end(json)
}
