import { type Browser, chromium } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/support/browser.ts'
import { ensureChromium } from '../../scripts/chromium.mjs'

/** Debian's Chromium (`CHROMIUM_PATH` overrides) and the team's flags, as the browser tests use. */
export { CHROMIUM_ARGS, CHROMIUM_PATH }

/** Headless Chromium with the team's flags; Playwright gives it a fresh mkdtemp profile. */
export function launchChromium(): Promise<Browser> {
  ensureChromium(CHROMIUM_PATH, 'aurion bench')
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  })
}
