import { type Browser, chromium } from 'playwright-core'
import { ensureChromium } from '../../scripts/chromium.mjs'

/** Debian's Chromium (`CHROMIUM_PATH` overrides). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Headless Chromium with the team's flags; Playwright gives it a fresh mkdtemp profile. */
export function launchChromium(): Promise<Browser> {
  ensureChromium(CHROMIUM_PATH, 'aurion bench')
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
