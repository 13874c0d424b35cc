import type { Page } from 'playwright-core'

interface OpenMarks {
  down: number
  drawn: number
}

/**
 * Installed in the page (a string: the bench's TypeScript transform would add helpers a page
 * does not have): marks the launcher's `pointerdown` (events from the shadow root reach the
 * document retargeted to the widget element) and the first frame with the panel.
 */
const WATCH = `(() => {
  const marks = (window.__open = { down: 0, drawn: 0 })
  document.addEventListener('pointerdown', (e) => { marks.down = e.timeStamp }, { capture: true, once: true })
  const root = document.querySelector('aurion-widget').shadowRoot
  const check = () => {
    if (root.querySelector('.aw-panel')) marks.drawn = performance.now()
    else requestAnimationFrame(check)
  }
  requestAnimationFrame(check)
})()`

/**
 * The visitor's first open on a page whose widget has settled: ms from the launcher's
 * `pointerdown` to the first animation frame with the panel in the DOM. The pointer rests on the
 * launcher `hoverMs` before pressing (0: it arrives with the click, so whatever the widget
 * starts on hover has no head start).
 */
export async function firstOpen(page: Page, hoverMs: number): Promise<number> {
  await page.evaluate(WATCH)
  const box = await page.locator('aurion-widget .aw-launcher').boundingBox()
  if (!box) throw new Error('first open: no launcher on the page')
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  if (hoverMs > 0) await page.waitForTimeout(hoverMs)
  await page.mouse.down()
  await page.mouse.up()
  await page.waitForFunction(() => (window as unknown as { __open: OpenMarks }).__open.drawn > 0)
  return page.evaluate(() => {
    const m = (window as unknown as { __open: OpenMarks }).__open
    return m.drawn - m.down
  })
}

/**
 * First open at a 4× CPU slowdown: no slower than when the chat chunk was evaluated as soon as
 * the page was idle (381 ms no hover, 420 ms after a hover, measured that way), although it is
 * now evaluated on the visitor's intent. At full speed the figure is shown without a goal.
 */
export const FIRST_OPEN_MS_AT_4X = 400
export const openGoal = (cpuRate: number, ms: number) =>
  cpuRate === 4 ? { goal: `≤ ${FIRST_OPEN_MS_AT_4X} ms`, pass: ms <= FIRST_OPEN_MS_AT_4X } : {}
