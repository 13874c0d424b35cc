import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADVERSARIAL_BYTES } from '../../../../contract/test/linear-time.ts'
import { buildTestApp, createTestTenant, type TestApp } from '../../../test/helpers.ts'

const CONFIG = '/api/v1/voice-widget/config'
const svgLogo = (inner: string) =>
  `data:image/svg+xml;base64,${Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">${inner}</svg>`,
  ).toString('base64')}`

// The attack of the report: one PUT of an SVG logo made of "url(" (or "<set") kept the event
// loop busy for seconds, and every other request of every tenant waited.
describe('PUT /config with a hostile SVG logo', () => {
  let t: TestApp
  let apiKey: string
  beforeAll(async () => {
    t = await buildTestApp()
    ;({ apiKey } = await createTestTenant(t.db))
  })
  afterAll(async () => t.close())

  const put = async (logo: string) => {
    const started = performance.now()
    const res = await t.app.inject({
      method: 'PUT',
      url: CONFIG,
      headers: { 'x-api-key': apiKey },
      payload: { enabled: true, display_title: 'Help', launcher_label: 'Chat', logo_url: logo },
    })
    return { res, ms: performance.now() - started }
  }
  /** Best of three: a pause of the machine must not decide. */
  const best = async (logo: string) => {
    let ms = Number.POSITIVE_INFINITY
    let res: Awaited<ReturnType<typeof put>>['res'] | undefined
    for (let i = 0; i < 3; i++) {
      const r = await put(logo)
      ms = Math.min(ms, r.ms)
      res = r.res
    }
    return { res: res!, ms }
  }

  const size = ADVERSARIAL_BYTES - 1024
  const attacks: [string, string, RegExp][] = [
    [
      '"url(" repeated',
      svgLogo(`<rect style="${'url('.repeat(size / 4)}"/>`),
      /external reference/,
    ],
    ['"<set" repeated', svgLogo('<set'.repeat(size / 4)), /not well-formed XML/],
    [
      '"<set attributeName" repeated',
      svgLogo('<set attributeName="x" '.repeat(Math.floor(size / 23))),
      /not well-formed XML/,
    ],
    ['comment openings', svgLogo('<!-'.repeat(size / 3)), /not well-formed XML/],
  ]

  it.each(attacks)(
    '%s is refused about as fast as a good logo is stored',
    async (_name, logo, why) => {
      // A good logo of the same size, read in full.
      const unit = '<g><rect width="1" height="1"/></g>'
      const good = svgLogo(unit.repeat(Math.floor(size / unit.length)))
      const baseline = await best(good)
      expect(baseline.res.statusCode).toBe(200)
      const attack = await best(logo)
      expect(attack.res.statusCode).toBe(422)
      expect(attack.res.json().detail[0]).toMatchObject({ loc: ['body', 'logo_url'] })
      expect(attack.res.json().detail[0].msg).toMatch(why)
      expect(
        attack.ms,
        `${attack.ms.toFixed(1)} ms against ${baseline.ms.toFixed(1)} ms`,
      ).toBeLessThan(5 * baseline.ms)
    },
  )
})
