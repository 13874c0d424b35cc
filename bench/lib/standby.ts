import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** An Aurion server process that has loaded its code and starts on {@link StandbyServer.go}. */
export interface StandbyServer {
  readonly pid: number
  /** Starts the server (migrations, listen); resolves with the port. */
  go(): Promise<number>
  /** SIGKILL: no shutdown, no flush, no goodbye. Resolves once the process is gone. */
  kill(): Promise<void>
  /** Graceful stop (SIGTERM-like, through IPC), SIGKILL after 20 s. */
  stop(): Promise<void>
  /** Did it exit on its own (a crash)? */
  crashed(): boolean
  output(): string
}

const SCRIPT = fileURLToPath(new URL('../servers/aurion.ts', import.meta.url))

/**
 * Forks a standby server with `env` (a fixed PORT, so clients find every incarnation): the
 * bench server through tsx, or `bundle` (the same server built into one file) with plain node.
 */
export function spawnStandby(env: Record<string, string>, bundle?: string): Promise<StandbyServer> {
  const child: ChildProcess = fork(bundle ?? SCRIPT, [], {
    env: { ...process.env, ...env, BENCH_STANDBY: '1' },
    execArgv: bundle ? [] : ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let out = ''
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  let killed = false
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const alive = () => child.exitCode === null && child.signalCode === null

  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(`standby server exited (${code ?? signal}) before ready:\n${out}`)),
    )
    child.once('message', (m: { type?: string }) => {
      if (m.type !== 'ready') return
      resolve({
        pid: child.pid!,
        go: () =>
          new Promise<number>((res, rej) => {
            const onExit = (code: number | null, signal: string | null) =>
              rej(new Error(`server exited (${code ?? signal}) while starting:\n${out}`))
            child.once('exit', onExit)
            const onMessage = (msg: { type?: string; port?: number }) => {
              if (msg.type !== 'listening') return
              child.off('exit', onExit)
              child.off('message', onMessage)
              res(msg.port!)
            }
            child.on('message', onMessage)
            child.send({ type: 'go' })
          }),
        async kill() {
          killed = true
          if (alive()) child.kill('SIGKILL')
          await exited
        },
        async stop() {
          killed = true
          if (!alive()) return
          const force = setTimeout(() => child.kill('SIGKILL'), 20_000)
          child.send({ id: 0, type: 'stop' }, () => {})
          await exited
          clearTimeout(force)
        },
        crashed: () => !killed && !alive(),
        output: () => out,
      })
    })
  })
}
