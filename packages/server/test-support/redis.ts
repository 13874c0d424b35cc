import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freeLoopbackPort } from './ports.ts'

/** Redis for tests (TEST_REDIS_URL); `undefined` → skip Redis suites, except under CI. */
export function testRedisUrl(): string | undefined {
  const url = process.env.TEST_REDIS_URL
  if (!url && process.env.CI === 'true')
    throw new Error('CI=true but TEST_REDIS_URL is not set: Redis tests must run in CI')
  return url || undefined
}

/** A private redis-server on a random loopback port, which a test may stop and start again. */
export interface TestRedisServer {
  readonly port: number
  readonly url: string
  /** Kills the server (like a crash: no save), resolves once it has exited. */
  stop(): Promise<void>
  /** Starts it again on the same port. */
  start(): Promise<void>
  /** Stops it for good and removes its directory. */
  close(): Promise<void>
}

/** Starts `redis-server` (Debian package) on a random port with persistence off. */
export async function startTestRedisServer(): Promise<TestRedisServer> {
  const port = await freeLoopbackPort()
  const dir = mkdtempSync(join(tmpdir(), 'aurion-redis-'))
  let child: ChildProcess | undefined

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      )
      child = proc
      let out = ''
      const timer = setTimeout(() => {
        proc.kill('SIGKILL')
        reject(new Error(`redis-server did not start on port ${port}:\n${out}`))
      }, 10_000)
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString()
        if (/Ready to accept connections/.test(out)) {
          clearTimeout(timer)
          resolve()
        }
      })
      proc.stderr!.on('data', (d: Buffer) => {
        out += d.toString()
      })
      proc.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`redis-server exited with ${code}:\n${out}`))
      })
      proc.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
    })

  const stop = async () => {
    const proc = child
    child = undefined
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve())
      proc.kill('SIGKILL')
    })
  }

  await start()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async close() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Polls `fn` until it returns without throwing, or throws its last error after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (err) {
      if (Date.now() > deadline) throw err
      await new Promise((r) => setTimeout(r, intervalMs))
    }
  }
}
