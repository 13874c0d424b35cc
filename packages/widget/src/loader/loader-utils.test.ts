import { describe, expect, it } from 'vitest'
import { isRtl, resolveLocale, translate } from './locale.ts'
import { brandVars, luminance } from './theme.ts'

const nav = (language: string, languages: string[] = []) =>
  ({ language, languages }) as unknown as Navigator

describe('locale', () => {
  it('prefers AurionSettings.locale, then the browser, then English', () => {
    expect(resolveLocale('de', nav('fr-FR'))).toBe('de')
    expect(resolveLocale(undefined, nav('fr-FR'))).toBe('fr-FR')
    expect(resolveLocale('not a locale!', nav('pt-BR'))).toBe('pt-BR')
    expect(resolveLocale(42, nav('', ['es-MX']))).toBe('es-MX')
    expect(resolveLocale(undefined, nav(''))).toBe('en')
  })

  it('picks the exact translation, then the language, then the base text', () => {
    const map = { de: 'Hilfe', 'pt-BR': 'Ajuda', PT: 'Apoio' }
    expect(translate('Help', map, 'de-AT')).toBe('Hilfe')
    expect(translate('Help', map, 'pt-br')).toBe('Ajuda')
    expect(translate('Help', map, 'pt-PT')).toBe('Apoio')
    expect(translate('Help', map, 'fr')).toBe('Help')
    expect(translate(null, undefined, 'fr')).toBeNull()
  })

  it('knows right-to-left scripts', () => {
    expect(['ar', 'ar-EG', 'he', 'fa-IR', 'ur'].map(isRtl)).toEqual([true, true, true, true, true])
    expect(['en', 'de', 'arn', 'hed', 'fr-CA'].map(isRtl)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ])
  })
})

describe('brand colours', () => {
  const cfg = (c: Record<string, unknown>) => c as unknown as Parameters<typeof brandVars>[0]
  it('uses the accent theme, then the configured colours; text colour by contrast', () => {
    expect(brandVars(cfg({ accent_theme: 'emerald' }))).toBe(
      '--aw-p:#047857;--aw-a:#065f46;--aw-on:#fff',
    )
    expect(brandVars(cfg({ accent_theme: 'blue', primary_color: '#fbbf24' }))).toBe(
      '--aw-p:#fbbf24;--aw-a:#fbbf24;--aw-on:#000',
    )
    expect(
      brandVars(cfg({ accent_theme: 'slate', primary_color: '#123', accent_color: '#0f172a' })),
    ).toBe('--aw-p:#123;--aw-a:#0f172a;--aw-on:#fff')
  })

  it('never lets anything but a hex colour into the style sheet', () => {
    const evil = cfg({
      accent_theme: 'blue',
      primary_color: 'red;} .aw{display:none',
      accent_color: 'url(https://evil.test)',
    })
    expect(brandVars(evil)).toBe('--aw-p:#2563eb;--aw-a:#1e40af;--aw-on:#fff')
  })

  it('computes WCAG luminance', () => {
    expect(luminance('#fff')).toBeCloseTo(1, 5)
    expect(luminance('#000000')).toBe(0)
    expect(luminance('#2563eb')).toBeCloseTo(0.1532, 3)
  })
})
