import { type ChildProcess, spawn } from 'node:child_process'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

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
    waitFor(re, timeoutMs = 15_000) {
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

/** A free loopback port (bound, then released). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}
