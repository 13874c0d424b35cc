import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const buildScript = join(root, 'packages', 'widget', 'build.mjs')

/** The production build the server serves. */
export const WIDGET_DIST = join(root, 'packages', 'widget', 'dist')
/** A test build with `livekit-client` replaced by e2e/fakes/livekit-client.ts (never served by the app). */
export const WIDGET_FAKE_LIVEKIT_DIST = join(root, 'packages', 'widget', 'dist-e2e')
export const FAKE_LIVEKIT = join(root, 'e2e', 'fakes', 'livekit-client.ts')

const hasFlock = spawnSync('flock', ['--version']).status === 0

/**
 * Builds the widget unless `dist` already matches its sources (a content hash of every input,
 * written by the build). Test files in parallel workers share one build: a file lock
 * serializes them and the second finds it current.
 */
export function ensureWidgetBuilt(opts: { fakeLiveKit?: boolean } = {}): string {
  const out = opts.fakeLiveKit ? WIDGET_FAKE_LIVEKIT_DIST : WIDGET_DIST
  const args = [buildScript, '--if-stale', '--out', out]
  if (opts.fakeLiveKit) args.push('--fake-livekit', FAKE_LIVEKIT)
  mkdirSync(join(root, '.tmp'), { recursive: true })
  const lock = join(root, '.tmp', 'widget-build.lock')
  if (hasFlock)
    execFileSync('flock', [lock, process.execPath, ...args], { cwd: root, stdio: 'inherit' })
  else execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' })
  if (!existsSync(join(out, 'widget-manifest.json')))
    throw new Error(`widget build missing in ${out}`)
  return out
}
