/** A box in client (layout viewport) pixels, as `getBoundingClientRect()` reports it. */
export interface Rect {
  left: number
  top: number
  width: number
  height: number
}

/** The parts of `window.visualViewport` the panel follows. */
export interface Viewport {
  offsetLeft: number
  offsetTop: number
  width: number
  height: number
  scale: number
}

/** Inline geometry for the panel: laid out at `width`×`height`, then scaled (origin top left). */
export interface Placement {
  left: number
  top: number
  width: number
  height: number
  scaleX: number
  scaleY: number
}

/** Side of the probe box (CSS px): a fixed box at left/top 0 whose client rect reveals the page. */
export const PROBE_PX = 100
/** At most this wide (CSS px at the device's own scale), the open panel covers the whole screen. */
export const SHEET_MAX_PX = 480
const PANEL_W = 388
const PANEL_H = 700
const EDGE = 20
const ABOVE_LAUNCHER = 72

/** Whether the page needs no help: no zoom, no transform moving fixed boxes, no pinch zoom. */
export function isPlainPage(probe: Rect, vv: Viewport): boolean {
  const near = (a: number, b: number) => Math.abs(a - b) < 0.5
  return (
    near(probe.left, 0) &&
    near(probe.top, 0) &&
    near(probe.width, PROBE_PX) &&
    near(probe.height, PROBE_PX) &&
    vv.scale === 1 &&
    near(vv.offsetLeft, 0) &&
    near(vv.offsetTop, 0)
  )
}

/**
 * Where a fixed box must be placed, and how large it must be laid out, to cover `target`
 * (client px) at `size` CSS px of its own. `probe` is the client rect of a fixed 100×100 box at
 * left/top 0 in the same containing block: it measures what the page does to fixed boxes (CSS
 * `zoom` on the root, a transform that makes an ancestor their containing block), so the answer
 * holds whatever the page's CSS.
 */
export function placeOver(target: Rect, size: { width: number; height: number }, probe: Rect) {
  const kx = probe.width / PROBE_PX || 1
  const ky = probe.height / PROBE_PX || 1
  return {
    left: (target.left - probe.left) / kx,
    top: (target.top - probe.top) / ky,
    width: size.width,
    height: size.height,
    scaleX: target.width / (kx * size.width),
    scaleY: target.height / (ky * size.height),
  } satisfies Placement
}

/**
 * The panel's place on a phone: the whole visual viewport (what the visitor sees, whatever the
 * keyboard, pinch zoom or an overflowing page do to it), laid out at the screen's own size so
 * its text keeps its size when the page is zoomed in or out.
 */
export function sheetPlacement(vv: Viewport, probe: Rect): Placement {
  return placeOver(
    { left: vv.offsetLeft, top: vv.offsetTop, width: vv.width, height: vv.height },
    { width: vv.width * vv.scale, height: vv.height * vv.scale },
    probe,
  )
}

/** The floating panel's place (above the launcher) on a page whose CSS moves or zooms it. */
export function floatingPlacement(vv: Viewport, probe: Rect, side: 'left' | 'right'): Placement {
  const width = Math.min(PANEL_W, vv.width - 2 * EDGE)
  const height = Math.min(PANEL_H, vv.height - 120)
  const left = side === 'left' ? vv.offsetLeft + EDGE : vv.offsetLeft + vv.width - EDGE - width
  const top = vv.offsetTop + vv.height - EDGE - ABOVE_LAUNCHER - height
  return placeOver({ left, top, width, height }, { width, height }, probe)
}

/** Whether the panel should cover the screen: the visual viewport at scale 1 is phone-sized. */
export function isSheet(vv: Viewport): boolean {
  return vv.width * vv.scale <= SHEET_MAX_PX
}

/**
 * The launcher's place on a page that moves fixed boxes off screen (an element wider than the
 * phone, zoom, transforms): the visual viewport's bottom corner, at its own size unzoomed.
 */
export function launcherPlacement(
  vv: Viewport,
  probe: Rect,
  size: { width: number; height: number },
  side: 'left' | 'right',
): Placement {
  const edge = (isSheet(vv) ? 16 : EDGE) / vv.scale
  const width = size.width / vv.scale
  const height = size.height / vv.scale
  const left = side === 'left' ? vv.offsetLeft + edge : vv.offsetLeft + vv.width - edge - width
  const top = vv.offsetTop + vv.height - edge - height
  return placeOver({ left, top, width, height }, size, probe)
}

const GEOMETRY = [
  'left',
  'top',
  'right',
  'bottom',
  'width',
  'height',
  'max-height',
  'scale',
  'transform-origin',
]

/** Puts `el` where `p` says (inline styles), or back under its style sheet (`undefined`). */
function place(el: HTMLElement, p: Placement | undefined, sized: boolean): void {
  const s = el.style
  if (!p) {
    for (const k of GEOMETRY) s.removeProperty(k)
    return
  }
  const px = (n: number) => `${n}px`
  const values: Record<string, string> = {
    left: px(p.left),
    top: px(p.top),
    right: 'auto',
    bottom: 'auto',
    scale: `${p.scaleX} ${p.scaleY}`,
    'transform-origin': '0 0',
    ...(sized ? { width: px(p.width), height: px(p.height), 'max-height': 'none' } : {}),
  }
  for (const [k, v] of Object.entries(values)) s.setProperty(k, v)
}

/**
 * Calls `update` with the visual viewport and the probe's client rect now and whenever either
 * may have changed (visual viewport resize and scroll, window resize and scroll: a transformed
 * root scrolls fixed boxes with the page), at most once a frame, until the widget leaves the page. Returns the cleanup.
 */
function follow(wrap: HTMLElement, update: (vv: Viewport, probe: Rect) => void): () => void {
  const probe = document.createElement('div')
  probe.className = 'aw-probe'
  probe.setAttribute('aria-hidden', 'true')
  // Inline (CSSOM, which a strict CSP allows): the launcher is followed before the chat chunk's
  // style sheet is there.
  probe.style.cssText = `position:fixed;top:0;left:0;width:${PROBE_PX}px;height:${PROBE_PX}px;visibility:hidden;pointer-events:none`
  wrap.append(probe)
  const vvApi = window.visualViewport
  let frame = 0
  const run = () => {
    frame = 0
    // The widget was removed (`shutdown()`): nothing to follow any more.
    if (!wrap.isConnected) return stop()
    const vv: Viewport = vvApi ?? {
      offsetLeft: 0,
      offsetTop: 0,
      width: window.innerWidth,
      height: window.innerHeight,
      scale: 1,
    }
    const r = probe.getBoundingClientRect()
    update(vv, { left: r.left, top: r.top, width: r.width, height: r.height })
  }
  const schedule = () => {
    frame ||= requestAnimationFrame(run)
  }
  const targets: EventTarget[] = vvApi ? [vvApi, window] : [window]
  for (const t of targets) {
    t.addEventListener('resize', schedule)
    t.addEventListener('scroll', schedule)
  }
  const stop = () => {
    cancelAnimationFrame(frame)
    for (const t of targets) {
      t.removeEventListener('resize', schedule)
      t.removeEventListener('scroll', schedule)
    }
    probe.remove()
  }
  run()
  return stop
}

const sideOf = (wrap: HTMLElement) => (wrap.dataset.pos === 'bottom-left' ? 'left' : 'right')

/**
 * Keeps the open panel on screen: on phones over the whole visual viewport, elsewhere where the
 * style sheet puts it unless the page zooms or transforms fixed boxes. Sets `data-sheet` on the
 * widget root (`.aw`) for the full-screen look. Returns the cleanup.
 */
export function fitPanel(panel: HTMLElement): () => void {
  const wrap = panel.closest<HTMLElement>('.aw')
  if (!wrap) return () => {}
  const stop = follow(wrap, (vv, probe) => {
    const sheet = isSheet(vv)
    wrap.toggleAttribute('data-sheet', sheet)
    const p = sheet
      ? sheetPlacement(vv, probe)
      : isPlainPage(probe, vv)
        ? undefined
        : floatingPlacement(vv, probe, sideOf(wrap))
    place(panel, p, true)
  })
  return () => {
    stop()
    wrap.removeAttribute('data-sheet')
  }
}

/**
 * Keeps the launcher on screen: where its style sheet puts it, unless that is outside the visual
 * viewport (an element wider than the phone makes fixed boxes follow a wider layout; transforms
 * and zoom move them): then in the visual viewport's corner. Returns the cleanup.
 */
export function fitLauncher(launcher: HTMLElement): () => void {
  const wrap = launcher.closest<HTMLElement>('.aw')
  if (!wrap) return () => {}
  return follow(wrap, (vv, probe) => {
    place(launcher, undefined, false)
    const r = launcher.getBoundingClientRect()
    const inside =
      r.left >= vv.offsetLeft - 1 &&
      r.top >= vv.offsetTop - 1 &&
      r.right <= vv.offsetLeft + vv.width + 1 &&
      r.bottom <= vv.offsetTop + vv.height + 1
    if (inside || r.width === 0) return
    const size = { width: launcher.offsetWidth, height: launcher.offsetHeight }
    place(launcher, launcherPlacement(vv, probe, size, sideOf(wrap)), false)
  })
}
