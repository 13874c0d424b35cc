import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

/** Debian's Chromium (`CHROMIUM_PATH` overrides). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Installs Debian's chromium when it is missing and we may (root, apt-get), as `npm test` does. */
function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH) || process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get'))
    return
  process.stderr.write('[aurion bench] installing Debian chromium for the widget figures…\n')
  spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] })
  spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
}

/** Headless Chromium with the team's flags; Playwright gives it a fresh mkdtemp profile. */
export function launchChromium(): Promise<Browser> {
  ensureChromium()
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
