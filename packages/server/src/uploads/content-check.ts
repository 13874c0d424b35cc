import { fileTypeFromBuffer } from 'file-type'
import { unsupportedMediaType } from '../errors.ts'

/** Common spellings browsers and tools send, mapped to the canonical type we store. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/vnd.microsoft.icon': 'image/x-icon',
  'application/x-pdf': 'application/pdf',
}

/**
 * Binary types we accept, each with the types `file-type` may detect for genuine files of it.
 * An image type we cannot verify by its magic number is refused: its bytes could be anything.
 */
const BINARY_TYPES: Record<string, readonly string[]> = {
  'image/png': ['image/png', 'image/apng'],
  'image/apng': ['image/apng', 'image/png'],
  'image/jpeg': ['image/jpeg'],
  'image/gif': ['image/gif'],
  'image/webp': ['image/webp'],
  'image/bmp': ['image/bmp'],
  'image/tiff': ['image/tiff'],
  'image/avif': ['image/avif'],
  'image/heic': ['image/heic', 'image/heic-sequence', 'image/heif'],
  'image/heif': ['image/heif', 'image/heif-sequence', 'image/heic'],
  'image/jxl': ['image/jxl'],
  'image/x-icon': ['image/x-icon'],
  'application/pdf': ['application/pdf'],
}

/** Text-based image formats: checked as text (they have no magic number). */
const TEXT_IMAGE_TYPES = new Set(['image/svg+xml'])

/** `Image/PNG; charset=x` → `image/png` (lower-case, parameters dropped, aliases resolved). */
export function normalizeContentType(declared: string | undefined): string {
  const base = (declared ?? '').split(';')[0]!.trim().toLowerCase()
  return ALIASES[base] ?? base
}

/** Whether a normalized type is text (`text/*`, SVG): validated as UTF-8, served as plain text. */
export function isTextType(type: string): boolean {
  return type.startsWith('text/') || TEXT_IMAGE_TYPES.has(type)
}

/**
 * Refuses, before any byte is read, a type outside the contract's families (`image/`,
 * `application/pdf`, `text/`) or one whose content we cannot verify. Throws 415.
 */
export function assertAcceptedType(type: string): void {
  if (type === '' || type === 'application/octet-stream') {
    throw unsupportedMediaType(
      'The file has no specific content type; images, PDF and text files are accepted',
    )
  }
  if (!type.startsWith('image/') && !type.startsWith('text/') && type !== 'application/pdf') {
    throw unsupportedMediaType(
      `Unsupported file type ${type}: the content type must start with image/, application/pdf or text/`,
    )
  }
  if (!isTextType(type) && BINARY_TYPES[type] === undefined) {
    throw unsupportedMediaType(`Unsupported image type ${type}`)
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Checks that the bytes are what the declared (normalized) type says: the magic number for
 * binary types, valid UTF-8 without NUL bytes for text (and an `<svg` root for SVG). Throws 415.
 */
export async function assertContentMatches(type: string, bytes: Buffer): Promise<void> {
  assertAcceptedType(type)
  if (isTextType(type)) {
    let text: string
    try {
      if (bytes.includes(0)) throw new Error('NUL byte')
      text = utf8.decode(bytes)
    } catch {
      throw unsupportedMediaType(
        `The file content is not UTF-8 text as declared by ${type} (binary data or another encoding)`,
      )
    }
    if (TEXT_IMAGE_TYPES.has(type) && !/<svg[\s>/]/i.test(text)) {
      throw unsupportedMediaType(`The file content does not match its declared type ${type}`)
    }
    return
  }
  const detected = await fileTypeFromBuffer(bytes)
  if (detected === undefined || !BINARY_TYPES[type]!.includes(detected.mime)) {
    const what = detected === undefined ? 'unrecognised data' : detected.mime
    throw unsupportedMediaType(
      `The file content (${what}) does not match its declared type ${type}`,
    )
  }
}
