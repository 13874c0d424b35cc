import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM script without type declarations
import { BUDGETS, widgetSizes } from '../../packages/widget/size.mjs'
import { ensureWidgetBuilt, WIDGET_DIST } from '../support/widget-build.ts'

interface Size {
  file: string
  raw: number
  gzip: number
}
interface Sizes {
  files: Size[]
  loader: Size
  idle: Size
  chat: Size
  voice: Size
  speech: Size
}

/** Code only livekit-client has (WebRTC transport, its signalling client, its data packets). */
const LIVEKIT_MARKERS = ['RTCPeerConnection', 'SignalClient', 'DataPacket']

let sizes: Sizes

beforeAll(() => {
  ensureWidgetBuilt()
  sizes = widgetSizes(WIDGET_DIST) as Sizes
}, 120_000)

describe('widget budgets (production build, gzip)', () => {
  it(`loader ≤ ${BUDGETS.loader} bytes`, () => {
    expect(sizes.loader.file).toBe('aurion.js')
    expect(sizes.loader.gzip).toBeLessThanOrEqual(BUDGETS.loader)
  })

  it(`idle chunk ≤ ${BUDGETS.idle} bytes`, () => {
    expect(sizes.idle.file).toMatch(/^idle-[\w-]{8,}\.js$/)
    expect(sizes.idle.gzip).toBeLessThanOrEqual(BUDGETS.idle)
  })

  it(`chat chunk ≤ ${BUDGETS.chat} bytes`, () => {
    expect(sizes.chat.file).toMatch(/^chat-[\w-]{8,}\.js$/)
    expect(sizes.chat.gzip).toBeLessThanOrEqual(BUDGETS.chat)
  })

  it('is a production build: no development JSX, no source paths', () => {
    for (const f of sizes.files) {
      const code = readFileSync(join(WIDGET_DIST, f.file), 'utf8')
      expect(code, f.file).not.toContain('fileName:')
      expect(code, f.file).not.toContain('/packages/widget/src/')
      expect(code, f.file).not.toContain('jsx-dev-runtime')
    }
  })

  it('livekit-client is in the voice chunk and nowhere else', () => {
    const read = (f: string) => readFileSync(join(WIDGET_DIST, f), 'utf8')
    expect(sizes.voice.file).toMatch(/^voice-[\w-]{8,}\.js$/)
    for (const m of LIVEKIT_MARKERS) expect(read(sizes.voice.file)).toContain(m)
    const others = sizes.files.filter((f) => f.file !== sizes.voice.file)
    expect(others.length).toBeGreaterThan(3)
    for (const f of others) {
      for (const m of LIVEKIT_MARKERS) expect(read(f.file), `${m} in ${f.file}`).not.toContain(m)
    }
  })

  it('the loader is a classic script that imports the idle and chat chunks lazily; voice and speech load on demand', () => {
    const loader = readFileSync(join(WIDGET_DIST, 'aurion.js'), 'utf8')
    // A classic script: no static import/export, the chunks by dynamic import().
    expect(loader).not.toMatch(/^\s*(import|export)\s/m)
    expect(loader).toContain(`import(`)
    expect(loader).toContain(sizes.idle.file)
    expect(loader).toContain(sizes.chat.file)
    expect(loader).not.toContain(sizes.voice.file)
    // The idle chunk (evaluated on every page view) imports nothing: no Preact, no chat code.
    const idle = readFileSync(join(WIDGET_DIST, sizes.idle.file), 'utf8')
    expect(idle).not.toMatch(/\bimport\s*[{("*]/)
    expect(idle).not.toContain(sizes.chat.file)
    const chat = readFileSync(join(WIDGET_DIST, sizes.chat.file), 'utf8')
    expect(chat).toContain(`import("./${sizes.voice.file}")`)
    expect(chat).toContain(`import("./${sizes.speech.file}")`)
  })
})
