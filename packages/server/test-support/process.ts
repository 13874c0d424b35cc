import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freeLoopbackPort } from './ports.ts'

/** The `aurion` executable, run as users run it. */
export const AURION_BIN = join(dirname(fileURLToPath(import.meta.url)), '../bin/aurion.js')

/**
 * A clean environment for a child `aurion`: nothing from the test runner's own configuration
 * (DATABASE_URL, PORT, …) leaks in, only PATH/HOME and what the test passes.
 */
export function childEnv(env: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {}
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const v = process.env[k]
    if (v !== undefined) base[k] = v
  }
  return { ...base, LOG_LEVEL: 'silent', ...env }
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs `aurion ARGS…` to completion. */
export function runAurion(
  args: string[],
  env: Record<string, string>,
  opts: { stdin?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AURION_BIN, ...args], {
      env: childEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
    child.stdin.end(opts.stdin ?? '')
  })
}

/** A running `aurion serve`, with its output captured as it comes. */
export interface ServerProcess {
  child: ChildProcess
  readonly stdout: string
  readonly stderr: string
  /** Resolves once stdout+stderr match `re` (rejects when the process exits first). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  /** Resolves with the exit code/signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  kill(signal?: NodeJS.Signals): void
}

export function startAurion(args: string[], env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, [AURION_BIN, ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  const notify = () => {
    for (const w of [...waiters]) w()
  }
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString()
    notify()
  })
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
    notify()
  })
  let done = false
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      done = true
      notify()
      resolve({ code, signal })
    })
  })
  return {
    child,
    get stdout() {
      return stdout
    },
    get stderr() {
      return stderr
    },
    exited,
    kill(signal = 'SIGTERM') {
      if (!done) child.kill(signal)
    },
    waitFor(re, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = (stdout + stderr).match(re)
          if (m) {
            cleanup()
            resolve(m)
          } else if (done) {
            cleanup()
            reject(new Error(`aurion exited before printing ${re}:\n${stdout}\n${stderr}`))
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`timed out waiting for ${re}:\n${stdout}\n${stderr}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      })
    },
  }
}

/** A running `aurion serve` on a loopback port, listening. */
export interface ListeningProcess extends ServerProcess {
  /** `http://127.0.0.1:<port>` */
  url: string
  port: number
  /** SIGTERM, SIGKILL after `graceMs` (default 5 s); resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>
}

/**
 * Starts `aurion serve` (plus `args`) as users run it, on a free loopback port unless `env.PORT`
 * says which, and resolves once it logs that it listens. The process logs at `info` (its
 * "Server listening" line is the signal) unless `env.LOG_LEVEL` says otherwise.
 */
export async function startServerProcess(
  env: Record<string, string>,
  opts: { args?: string[]; timeoutMs?: number } = {},
): Promise<ListeningProcess> {
  const port = env.PORT ?? String(await freeLoopbackPort())
  const proc = startAurion(['serve', ...(opts.args ?? [])], {
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...env,
    PORT: port,
  })
  let m: RegExpMatchArray
  try {
    m = await proc.waitFor(
      /Server listening at (http:\/\/127\.0\.0\.1:(\d+))/,
      opts.timeoutMs ?? 60_000,
    )
  } catch (err) {
    proc.kill('SIGKILL')
    await proc.exited
    throw err
  }
  return Object.assign(proc, {
    url: m[1]!,
    port: Number(m[2]),
    async stop(graceMs = 5000) {
      const force = setTimeout(() => proc.kill('SIGKILL'), graceMs)
      proc.kill('SIGTERM')
      await proc.exited
      clearTimeout(force)
    },
  })
}

export { freeLoopbackPort }
