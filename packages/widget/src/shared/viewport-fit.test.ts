import { describe, expect, it } from 'vitest'
import {
  floatingPlacement,
  isPlainPage,
  isSheet,
  launcherPlacement,
  type Placement,
  PROBE_PX,
  type Rect,
  sheetPlacement,
  type Viewport,
} from './viewport-fit.ts'

const plainProbe: Rect = { left: 0, top: 0, width: PROBE_PX, height: PROBE_PX }
const phone: Viewport = { offsetLeft: 0, offsetTop: 0, width: 390, height: 844, scale: 1 }

/** Where a placed box ends up in client px, given what the probe measured about the page. */
function clientBox(p: Placement, probe: Rect): Rect {
  const kx = probe.width / PROBE_PX
  const ky = probe.height / PROBE_PX
  return {
    left: probe.left + kx * p.left,
    top: probe.top + ky * p.top,
    width: kx * p.width * p.scaleX,
    height: ky * p.height * p.scaleY,
  }
}

const close = (a: Rect, b: Rect) => {
  for (const k of ['left', 'top', 'width', 'height'] as const) expect(a[k]).toBeCloseTo(b[k], 6)
}

describe('the panel over the visual viewport', () => {
  it('a phone is a phone whatever the zoom; a desktop window is not', () => {
    expect(isSheet(phone)).toBe(true)
    expect(isSheet({ ...phone, width: 619, height: 1340, scale: 390 / 619 })).toBe(true)
    expect(isSheet({ ...phone, width: 195, height: 422, scale: 2 })).toBe(true)
    expect(isSheet({ ...phone, width: 1280, height: 800 })).toBe(false)
  })

  it('needs no inline geometry on a plain page', () => {
    expect(isPlainPage(plainProbe, { ...phone, width: 1280, height: 800 })).toBe(true)
    expect(isPlainPage({ ...plainProbe, width: 200, height: 200 }, phone)).toBe(false)
    expect(isPlainPage({ ...plainProbe, top: -494 }, phone)).toBe(false)
    expect(isPlainPage(plainProbe, { ...phone, scale: 1.5 })).toBe(false)
  })

  const cases: [string, Viewport, Rect][] = [
    ['plain phone', phone, plainProbe],
    ['keyboard open (visual viewport 390×500)', { ...phone, height: 500 }, plainProbe],
    [
      'page 619 px wide, zoomed out and scrolled',
      { offsetLeft: 0, offsetTop: 494, width: 619, height: 1340, scale: 390 / 619 },
      plainProbe,
    ],
    [
      'pinch-zoomed ×2 into the middle',
      { offsetLeft: 100, offsetTop: 300, width: 195, height: 422, scale: 2 },
      plainProbe,
    ],
    ['html { zoom: 2 }', phone, { left: 0, top: 0, width: 200, height: 200 }],
    [
      'a transformed root: fixed boxes move and shrink with it',
      { ...phone, height: 600 },
      { left: 30, top: -1200, width: 50, height: 80 },
    ],
  ]
  for (const [name, vv, probe] of cases) {
    it(`covers exactly the visual viewport: ${name}`, () => {
      const p = sheetPlacement(vv, probe)
      close(clientBox(p, probe), {
        left: vv.offsetLeft,
        top: vv.offsetTop,
        width: vv.width,
        height: vv.height,
      })
      // Laid out at the screen's own size: text keeps its size at any page zoom.
      expect(p.width).toBeCloseTo(vv.width * vv.scale, 6)
      expect(p.height).toBeCloseTo(vv.height * vv.scale, 6)
    })
  }

  it('on a zoomed desktop page the floating panel stays above the launcher, inside the view', () => {
    const vv: Viewport = { offsetLeft: 0, offsetTop: 0, width: 1280, height: 800, scale: 1 }
    const probe = { left: 0, top: 0, width: 150, height: 150 }
    for (const side of ['left', 'right'] as const) {
      const box = clientBox(floatingPlacement(vv, probe, side), probe)
      expect(box.width).toBeCloseTo(388, 6)
      expect(box.height).toBeCloseTo(680, 6)
      expect(box.top + box.height).toBeCloseTo(800 - 92, 6)
      expect(side === 'left' ? box.left : 1280 - (box.left + box.width)).toBeCloseTo(20, 6)
    }
  })

  it('brings the launcher back into the corner of the visual viewport, at its own size', () => {
    // A page 1500 px wide on a phone: the visual viewport is a 390 px window into it.
    const vv: Viewport = { offsetLeft: 300, offsetTop: 1200, width: 390, height: 844, scale: 1 }
    const size = { width: 180, height: 56 }
    const right = clientBox(launcherPlacement(vv, plainProbe, size, 'right'), plainProbe)
    close(right, { left: 300 + 390 - 16 - 180, top: 1200 + 844 - 16 - 56, width: 180, height: 56 })
    const left = clientBox(launcherPlacement(vv, plainProbe, size, 'left'), plainProbe)
    expect(left.left).toBeCloseTo(316, 6)
    // Pinch-zoomed ×2: half as large in page pixels, so the same size on the screen.
    const zoomed = { ...vv, width: 195, height: 422, scale: 2 }
    const z = clientBox(launcherPlacement(zoomed, plainProbe, size, 'right'), plainProbe)
    close(z, { left: 300 + 195 - 8 - 90, top: 1200 + 422 - 8 - 28, width: 90, height: 28 })
  })
})
