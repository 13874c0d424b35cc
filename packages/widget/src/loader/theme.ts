import type { PublicWidgetConfig } from '@aurion/contract'

/** Base and deep shade per `accent_theme`; each passes WCAG AA (4.5:1) with white text. */
const PALETTE: Record<string, [string, string]> = {
  blue: ['#2563eb', '#1e40af'],
  emerald: ['#047857', '#065f46'],
  amber: ['#b45309', '#92400e'],
  slate: ['#334155', '#0f172a'],
}

const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i

/** WCAG relative luminance of `#rgb` / `#rrggbb`. */
export function luminance(hex: string): number {
  const n = Number.parseInt((hex.length === 4 ? hex.replace(/\w/g, '$&$&') : hex).slice(1), 16)
  return [16, 8, 0].reduce((sum, shift, i) => {
    const c = ((n >> shift) & 255) / 255
    const lin = c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
    return sum + lin * [0.2126, 0.7152, 0.0722][i]!
  }, 0)
}

/** White reaches 4.5:1 up to this luminance ((1 + 0.05) / 4.5 - 0.05); black from there on. */
const WHITE_MAX_LUMINANCE = 0.1833

/**
 * CSS custom properties for the brand colours: `--aw-p` (primary), `--aw-a` (accent, the deep
 * end of the header gradient) and `--aw-on` (text on them: white or ink, whichever reads).
 * Colours are re-checked here: only `#rgb`/`#rrggbb` ever reach the style sheet.
 */
export function brandVars(config: PublicWidgetConfig): string {
  const [base, deep] = PALETTE[config.accent_theme] ?? PALETTE.blue!
  const p = config.primary_color && HEX.test(config.primary_color) ? config.primary_color : base
  const a =
    config.accent_color && HEX.test(config.accent_color)
      ? config.accent_color
      : config.primary_color && HEX.test(config.primary_color)
        ? p
        : deep
  const on = Math.max(luminance(p), luminance(a)) <= WHITE_MAX_LUMINANCE ? '#fff' : '#000'
  return `--aw-p:${p};--aw-a:${a};--aw-on:${on}`
}
