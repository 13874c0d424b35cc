import { svgProblem } from './svg-safety.ts'

/** Decoded bytes of a logo data URL. */
export const MAX_LOGO_BYTES = 256 * 1024

function decodeBase64(b64: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined
  try {
    const bin = atob(b64)
    const out = new Uint8Array(bin.length)
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
    return out
  } catch {
    return undefined
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff]
const startsWith = (bytes: Uint8Array, sig: number[]) => sig.every((b, i) => bytes[i] === b)

/**
 * Checks a logo data URL: PNG/JPEG/SVG, base64, at most {@link MAX_LOGO_BYTES}, bytes matching
 * the declared type, and an SVG free of scripts, event handlers and external references.
 * Returns the problem, or undefined when the logo is acceptable.
 */
export function checkLogoDataUrl(value: string): string | undefined {
  const m = /^data:(image\/png|image\/jpeg|image\/svg\+xml);base64,(.*)$/s.exec(value)
  if (!m) {
    return 'logo_url must be a base64 data URL of a PNG, JPEG or SVG image (data:image/png;base64,…)'
  }
  const bytes = decodeBase64(m[2]!.replace(/\s+/g, ''))
  if (!bytes || bytes.length === 0) return 'logo_url has invalid base64 data'
  if (bytes.length > MAX_LOGO_BYTES) {
    return `logo_url image must be at most ${MAX_LOGO_BYTES / 1024} KB`
  }
  const type = m[1]
  if (type === 'image/png' && !startsWith(bytes, PNG_SIGNATURE)) {
    return 'logo_url data is not a PNG image'
  }
  if (type === 'image/jpeg' && !startsWith(bytes, JPEG_SIGNATURE)) {
    return 'logo_url data is not a JPEG image'
  }
  if (type === 'image/svg+xml') {
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      return 'logo_url SVG must be UTF-8 text'
    }
    const problem = svgProblem(text)
    if (problem === 'not well-formed XML') return 'logo_url SVG is not well-formed XML'
    if (problem === 'not an SVG document') return 'logo_url data is not an SVG image'
    if (problem) return `logo_url SVG must not contain active content (${problem})`
  }
  return undefined
}
