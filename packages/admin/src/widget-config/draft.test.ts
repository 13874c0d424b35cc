import { WIDGET_CONFIG_DEFAULTS } from '@aurion/contract'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, createTestTenant, type TestApp } from '../../../server/test/helpers.ts'
import {
  checkLocale,
  type Draft,
  draftLocales,
  issuePath,
  removeLocale,
  sameDraft,
  setTranslation,
  toUpdate,
  validateDraft,
} from './draft.ts'

const base: Draft = { ...WIDGET_CONFIG_DEFAULTS, allowed_origins: ['https://example.com'] }
const svgWithScript = `data:image/svg+xml;base64,${btoa('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')}`

/** Drafts the console can produce that the server must refuse, and where. */
const BAD: [string, Partial<Draft>][] = [
  ['empty title', { display_title: '' }],
  ['blank title', { display_title: '   ' }],
  ['title over 80', { display_title: 'x'.repeat(81) }],
  ['emoji title over 80 code points', { display_title: '😀'.repeat(81) }],
  ['empty launcher label', { launcher_label: '' }],
  ['launcher label over 40', { launcher_label: 'y'.repeat(41) }],
  ['welcome over 120', { welcome_text: 'w'.repeat(121) }],
  ['bubble over 80', { launcher_bubble_message: 'b'.repeat(81) }],
  ['bad primary colour', { primary_color: 'blue' }],
  ['bad accent colour', { accent_color: '#12345' }],
  ['bare domain origin', { allowed_origins: ['https://ok.example', 'example.com'] }],
  ['origin with a path', { allowed_origins: ['https://example.com/shop'] }],
  ['wildcard origin', { allowed_origins: ['https://*.example.com'] }],
  [
    'too many origins',
    { allowed_origins: Array.from({ length: 51 }, (_, i) => `https://s${i}.example.com`) },
  ],
  ['logo not an image', { logo_url: 'data:text/plain;base64,aGVsbG8=' }],
  ['svg logo with script', { logo_url: svgWithScript }],
  ['png logo that is not a png', { logo_url: `data:image/png;base64,${btoa('not a png at all')}` }],
  ['bad locale', { display_title_translations: { 'not a locale': 'Hallo' } }],
  ['translation over limit', { launcher_label_translations: { de: 'z'.repeat(41) } }],
  ['blank translated title', { display_title_translations: { de: '  ' } }],
  ['too many quick actions', { quick_actions: ['1', '2', '3', '4', '5', '6', '7'] }],
  ['empty quick action', { quick_actions: ['How?', ''] }],
  ['instructions over 4000', { agent_instructions: 'i'.repeat(4001) }],
]

describe('console validation of the widget config', () => {
  it('a valid draft has no issues', () => {
    expect(validateDraft(base)).toEqual([])
    expect(
      validateDraft({
        ...base,
        primary_color: '',
        accent_color: '#26e',
        display_title_translations: { 'pt-BR': 'Suporte' },
      }),
    ).toEqual([])
  })

  it.each(BAD)('finds a problem: %s', (_name, patch) => {
    expect(validateDraft({ ...base, ...patch }).length).toBeGreaterThan(0)
  })

  it('blank colours are sent as null (back to the theme)', () => {
    expect(toUpdate({ ...base, primary_color: ' ', accent_color: '#FFF' })).toMatchObject({
      primary_color: null,
      accent_color: '#FFF',
    })
  })

  it('translations: blank removes, locales are collected, removal clears every field', () => {
    let d = setTranslation(base, 'display_title', 'de', 'Hilfe')
    d = setTranslation(d, 'welcome_text', 'fr', 'Bonjour')
    expect(draftLocales(d)).toEqual(['de', 'fr'])
    expect(setTranslation(d, 'display_title', 'de', '').display_title_translations).toEqual({})
    expect(draftLocales(removeLocale(d, 'fr'))).toEqual(['de'])
    expect(sameDraft(removeLocale(removeLocale(d, 'fr'), 'de'), base)).toBe(true)
    expect(checkLocale('pt-BR')).toBeUndefined()
    expect(checkLocale('deutsch!')).toMatch(/BCP-47/)
  })
})

describe('console validation matches the server 422s', () => {
  let t: TestApp
  let apiKey: string
  beforeAll(async () => {
    t = await buildTestApp()
    apiKey = (await createTestTenant(t.db)).apiKey
  })
  afterAll(async () => {
    await t.close()
  })

  const put = (d: Draft) =>
    t.app.inject({
      method: 'PUT',
      url: '/api/v1/voice-widget/config',
      headers: { 'x-api-key': apiKey },
      payload: toUpdate(d),
    })

  it('the server accepts what the console accepts', async () => {
    const d: Draft = {
      ...base,
      display_title: '😀'.repeat(80),
      primary_color: '#26e',
      allowed_origins: ['https://example.com', 'http://localhost:3000'],
      display_title_translations: { 'pt-BR': 'Suporte' },
      quick_actions: ['Reset my password'],
    }
    expect(validateDraft(d)).toEqual([])
    const res = await put(d)
    expect(res.statusCode, res.body).toBe(200)
  })

  it.each(BAD)(
    '%s: every field the server names is flagged in the console',
    async (_name, patch) => {
      const d = { ...base, ...patch }
      const res = await put(d)
      expect(res.statusCode, res.body).toBe(422)
      const serverPaths = new Set(
        (res.json().detail as { loc: (string | number)[] }[]).map((i) => issuePath(i.loc)),
      )
      const clientPaths = new Set(validateDraft(d).map((i) => issuePath(i.loc)))
      for (const p of serverPaths) expect(clientPaths, `server flagged ${p}`).toContain(p)
    },
  )
})
