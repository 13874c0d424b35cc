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
