import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { connectDb, type DbHandle } from '../../packages/server/src/db/connect.ts'
import {
  startTestRedisServer,
  type TestRedisServer,
} from '../../packages/server/test/redis-server.ts'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const BIN = join(ROOT, 'packages/server/bin/aurion.js')

/** One `aurion serve` process. */
export interface ServerProcess {
  readonly name: string
  readonly url: string
  readonly pid: number
  /** Everything it printed (JSON log lines), for failure messages. */
  output(): string
  /** Still running? (A crash would make this false.) */
  alive(): boolean
  stop(): Promise<void>
}

/** Two or more instances on one PostgreSQL schema and one private Redis, on loopback. */
export interface Cluster {
  readonly servers: ServerProcess[]
  /** The test's own handle on the shared schema (seeding, row counts). */
  readonly database: DbHandle
  /** The private redis-server the instances share; stop/start it to test an outage. */
  readonly redis: TestRedisServer
  /** Forwarder the instances reach PostgreSQL through; cut/restore it to test an outage. */
  readonly pgProxy: TcpProxy
  close(): Promise<void>
}

export const CLUSTER_SECRET = 'e2e-scale-secret-0123456789abcdef0123456789'

/**
 * Starts `count` server processes at once (so their start-up migrations race, as in a real
 * rollout) on a fresh PostgreSQL schema reached through a TCP proxy and a private redis-server,
 * with a random Redis key prefix.
 */
export async function startCluster(
  pgUrl: string,
  opts: { count?: number; env?: Record<string, string> } = {},
): Promise<Cluster> {
  const count = opts.count ?? 2
  const schema = `scale_${randomBytes(6).toString('hex')}`
  const database = await connectDb({ databaseUrl: pgUrl, pgSchema: schema, pgPoolSize: 3 })
  const target = new URL(pgUrl)
  const pgProxy = await startTcpProxy({
    host: target.hostname,
    port: Number(target.port || 5432),
  })
  const redis = await startTestRedisServer()
  const proxied = new URL(pgUrl)
  proxied.hostname = '127.0.0.1'
  proxied.port = String(pgProxy.port)
  proxied.searchParams.set('options', `-c search_path=${schema}`)
  const dataDir = mkdtempSync(join(tmpdir(), 'aurion-scale-'))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: proxied.toString(),
    REDIS_URL: redis.url,
    AURION_REDIS_PREFIX: `e2e-${randomBytes(4).toString('hex')}:`,
    AURION_SECRET: CLUSTER_SECRET,
    AURION_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...opts.env,
  }
  const servers: ServerProcess[] = []
  const cleanup = async () => {
    await Promise.all(servers.map((s) => s.stop()))
    await redis.close()
    await pgProxy.close()
    await database.db.schema.dropSchema(schema).ifExists().cascade().execute()
    await database.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    const started = await Promise.allSettled(
      Array.from({ length: count }, (_, i) => startServer(String.fromCharCode(65 + i), env)),
    )
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value)
    const failed = started.find((s) => s.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
  } catch (err) {
    await cleanup()
    throw err
  }
  return { servers, database, redis, pgProxy, close: cleanup }
}

/** Spawns `aurion serve` and resolves with its URL once it logs that it listens. */
function startServer(name: string, env: Record<string, string>): Promise<ServerProcess> {
  return new Promise((resolvePromise, reject) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let url: string | undefined
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server ${name} did not start within 60 s:\n${out}`))
    }, 60_000)
    const onData = (d: Buffer) => {
      out += d.toString()
      if (url !== undefined) return
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) {
        url = m[1]!
        clearTimeout(timer)
        resolvePromise(handle(url))
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (url === undefined)
        reject(new Error(`server ${name} exited (${code ?? signal}) before listening:\n${out}`))
    })
    const handle = (u: string): ServerProcess => ({
      name,
      url: u,
      pid: child.pid!,
      output: () => out,
      alive: () => child.exitCode === null && child.signalCode === null,
      stop: () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done()
          const kill = setTimeout(() => child.kill('SIGKILL'), 5000)
          child.once('exit', () => {
            clearTimeout(kill)
            done()
          })
          child.kill('SIGTERM')
        }),
    })
  })
}
