import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.ts'
import { type Backends, createBackends } from './backends.ts'
import type { Config } from './config.ts'
import { createMessagesInFlight } from './conversations/in-flight.ts'
import { connectDb, connectOptionsOf, type DbHandle } from './db/connect.ts'
import { migrateToLatest } from './db/migrate.ts'
import { demoBanner, ensureDemoTenant } from './demo/demo-tenant.ts'
import { startRetentionJob } from './privacy/retention-job.ts'
import { type MetricsListener, startMetricsListener } from './routes/ops/metrics-listener.ts'
import { startUploadSweeper } from './uploads/upload-sweeper.ts'

export interface ServerOptions {
  /** Create the demo tenant on an empty database and print its credentials (`npm start`). */
  demo?: boolean
  /** Where the startup banner goes; default stdout. */
  print?: (text: string) => void
}

export interface RunningServer {
  app: FastifyInstance
  database: DbHandle
  /** The port actually bound (differs from `config.port` when that is 0). */
  port: number
  /** The metrics port actually bound, with `AURION_METRICS_PORT`. */
  metricsPort: number | undefined
  /**
   * Graceful stop: stop accepting connections, let in-flight requests finish (connections still
   * open after `config.shutdownTimeoutMs` are closed), close the backends and the database.
   * Idempotent.
   */
  stop(): Promise<void>
}

/** Connects, migrates, (with `demo`) bootstraps the demo tenant, builds the app and listens. */
export async function startServer(
  config: Config,
  opts: ServerOptions = {},
): Promise<RunningServer> {
  const print = opts.print ?? ((text: string) => process.stdout.write(text))
  const database = await connectDb(connectOptionsOf(config))
  const inflight = createMessagesInFlight()
  let backends: Backends | undefined
  let app: FastifyInstance | undefined
  let metrics: MetricsListener | undefined
  try {
    await migrateToLatest(database)
    // REDIS_URL → rate limits and realtime events shared by every instance; else in-process.
    backends = createBackends(config)
    app = await buildApp(config, {
      database,
      limiter: backends.limiter,
      bus: backends.bus,
      mailer: backends.mailer,
      inflight,
    })
    await app.listen({ port: config.port, host: config.host })
    if (config.metricsPort !== undefined) {
      metrics = await startMetricsListener({
        port: config.metricsPort,
        host: config.host,
        token: config.metricsToken,
      })
    } else if (config.metricsToken === undefined && !isLoopbackHost(config.host)) {
      app.log.warn(
        '/metrics answers anyone who reaches this port: set AURION_METRICS_TOKEN or AURION_METRICS_PORT',
      )
    }
  } catch (err) {
    // The app's onClose closes the backends; without an app they are closed here.
    if (app) await app.close().catch(() => {})
    else await backends?.close().catch(() => {})
    await database.close().catch(() => {})
    throw err
  }
  const port = (app.server.address() as AddressInfo).port
  const running = app
  if (opts.demo) {
    // After listen: the demo's origins name the port actually bound.
    try {
      const info = await ensureDemoTenant(database.db, config, port)
      print(demoBanner(info, config.publicUrl))
    } catch (err) {
      await metrics?.close().catch(() => {})
      await running.close().catch(() => {})
      await database.close().catch(() => {})
      throw err
    }
  }

  // Abandoned uploads are deleted in the background, off the request path.
  const sweeper = startUploadSweeper(database.db, { log: running.log })
  // Tenants' retention policies, in batches, one instance at a time on PostgreSQL.
  const retention = startRetentionJob(database, { log: running.log })

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      const deadline = performance.now() + config.shutdownTimeoutMs
      const force = setTimeout(() => {
        running.log.warn('shutdown: drain timeout reached, closing remaining connections')
        running.server.closeAllConnections()
      }, config.shutdownTimeoutMs)
      try {
        await metrics?.close()
        await running.close()
      } finally {
        clearTimeout(force)
        await sweeper.stop()
        await retention.stop()
        // Work whose client already left (within the same time limit) finishes before the
        // database closes under it.
        const left = Math.max(0, deadline - performance.now())
        running.log.info('shutdown: connections closed, settling messages in flight')
        if (!(await inflight.settle(left))) {
          running.log.warn('shutdown: messages still in flight at the drain timeout')
        }
        await database.close()
      }
    })()
    return stopping
  }
  return { app: running, database, port, metricsPort: metrics?.port, stop }
}

/**
 * Runs the server until SIGTERM or SIGINT, then shuts down gracefully. A signal during startup
 * stops the server as soon as it is up; a second signal exits at once. Resolves with the exit
 * code: 0 after a clean stop, 1 when startup or the stop failed.
 */
export async function runServer(config: Config, opts: ServerOptions = {}): Promise<number> {
  let server: RunningServer | undefined
  let signalled = false
  let resolveStop: (code: number) => void = () => {}
  const stopped = new Promise<number>((resolve) => {
    resolveStop = resolve
  })
  const shutdown = (s: RunningServer) => {
    s.app.log.info('shutting down: draining requests')
    s.stop().then(
      () => {
        s.app.log.info('shutdown complete')
        resolveStop(0)
      },
      (err: unknown) => {
        s.app.log.error({ err }, 'shutdown failed')
        resolveStop(1)
      },
    )
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      process.stderr.write(`${signal} again: exiting without draining\n`)
      process.exit(1)
    }
    signalled = true
    if (server) shutdown(server)
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  try {
    try {
      server = await startServer(config, opts)
    } catch (err) {
      process.stderr.write(`error: ${startupProblem(err, config)}\n`)
      return 1
    }
    if (signalled) shutdown(server)
    return await stopped
  } finally {
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
  }
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

function startupProblem(err: unknown, config: Config): string {
  const e = err as NodeJS.ErrnoException
  if (e.code === 'EADDRINUSE')
    return `port ${config.port} on ${config.host} is already in use: stop the other process or set PORT`
  if (e.code === 'EACCES')
    return `not allowed to listen on ${config.host}:${config.port}: use a port above 1023 or set PORT`
  if (e.code === 'ECONNREFUSED' && config.databaseUrl !== undefined)
    return `cannot reach the database at DATABASE_URL (${e.message})`
  return e instanceof Error ? (e.stack ?? e.message) : String(e)
}
