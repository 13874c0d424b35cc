import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { V8_FLAGS } from '../../packages/server/bin/v8-flags.js'
import type { MemorySample } from '../servers/ipc.ts'

/** A bench server running in its own process (so it never shares the load generator's CPU). */
export interface BenchChild {
  readonly port: number
  readonly pid: number
  readonly process: ChildProcess
  /** Memory after a full GC (children run with --expose-gc). */
  memory(): Promise<MemorySample>
  /** CPU time (user + system) the process has used so far, in µs. */
  cpu(): Promise<number>
  /** Page faults the process has taken so far (its heap growing onto fresh pages). */
  faults(): Promise<number>
  /** Event-loop delay (ms) since the previous call (or the start). */
  loopDelay(): Promise<{ p99: number; max: number }>
  /** Graceful stop (lets --cpu-prof write its profile); SIGKILL after 20 s. */
  stop(): Promise<void>
  /** Still running? */
  alive(): boolean
  /** What it printed (last 200 KB), when forked with `captureOutput`. */
  output(): string
}

const SERVERS = new URL('../servers/', import.meta.url)

interface Reply {
  sample?: MemorySample
  cpu?: number
  faults?: number
  loop?: { p99: number; max: number }
}

/**
 * Forks `bench/servers/<name>.ts` with `env` added to this process's environment and resolves
 * once it listens. `execArgv` adds Node flags (e.g. `--cpu-prof`).
 */
export function forkServer(
  name: 'aurion' | 'raw-http' | 'bare-ws' | 'redis-relay' | 'receiver',
  env: Record<string, string> = {},
  opts: { execArgv?: string[]; timeoutMs?: number; captureOutput?: boolean } = {},
): Promise<BenchChild> {
  const child = fork(fileURLToPath(new URL(`${name}.ts`, SERVERS)), [], {
    env: { ...process.env, ...env },
    // The V8 flags the server runs with (packages/server/bin/v8-flags.js); the
    // baselines get them too.
    execArgv: ['--import', 'tsx', '--expose-gc', ...V8_FLAGS, ...(opts.execArgv ?? [])],
    stdio: opts.captureOutput
      ? ['ignore', 'pipe', 'pipe', 'ipc']
      : ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let out = ''
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let nextId = 1
  const waiting = new Map<number, (m: Reply) => void>()
  child.on('message', (m: Reply & { id?: number }) => {
    if (m.id !== undefined) {
      waiting.get(m.id)?.(m)
      waiting.delete(m.id)
    }
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const request = (type: 'memory' | 'cpu' | 'faults' | 'loop' | 'stop') =>
    new Promise<Reply>((resolve, reject) => {
      const id = nextId++
      waiting.set(id, resolve)
      child.send({ id, type }, (err) => err && reject(err))
    })

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`bench server ${name} did not start`))
    }, opts.timeoutMs ?? 120_000)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`bench server ${name} exited (${code ?? signal}) before listening`))
    })
    child.on('message', (m: { type?: string; port?: number }) => {
      if (m.type !== 'listening') return
      clearTimeout(timer)
      resolve({
        port: m.port!,
        pid: child.pid!,
        process: child,
        memory: async () => (await request('memory')).sample!,
        cpu: async () => (await request('cpu')).cpu!,
        faults: async () => (await request('faults')).faults!,
        loopDelay: async () => (await request('loop')).loop!,
        alive: () => child.exitCode === null && child.signalCode === null,
        output: () => out,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return
          const kill = setTimeout(() => child.kill('SIGKILL'), 20_000)
          await request('stop').catch(() => {})
          await exited
          clearTimeout(kill)
        },
      })
    })
  })
}
