import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CHROMIUM_ARGS } from './browser.ts'

/**
 * Headless Chromium with a remote-debugging port, for tools that drive it over the DevTools
 * protocol themselves (Lighthouse). A fresh profile each launch. No request leaves loopback:
 * every host name but localhost fails to resolve, and everything not on loopback goes to a
 * proxy on a closed loopback port (which also catches IP literals and WebSockets).
 */
export interface DebugChromium {
  readonly port: number
  close(): Promise<void>
}

export const LOOPBACK_ONLY_FLAGS = [
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
  '--proxy-server=http://127.0.0.1:9',
]

export async function launchDebugChromium(path: string): Promise<DebugChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'aurion-bench-chromium-'))
  const child: ChildProcess = spawn(
    path,
    [
      ...CHROMIUM_ARGS,
      ...LOOPBACK_ONLY_FLAGS,
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    rmSync(profile, { recursive: true, force: true })
  }
  // Chromium writes the port it chose to <profile>/DevToolsActivePort once it listens.
  const file = join(profile, 'DevToolsActivePort')
  const deadline = Date.now() + 30_000
  while (!existsSync(file) || readFileSync(file, 'utf8').split('\n').length < 2) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await close()
      throw new Error(`Chromium at ${path} did not open its debugging port: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  const port = Number(readFileSync(file, 'utf8').split('\n')[0])
  return { port, close }
}
