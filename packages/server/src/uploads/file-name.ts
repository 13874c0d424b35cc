/** Longest stored file name, in characters (most file systems allow 255 bytes). */
export const MAX_FILE_NAME_LENGTH = 150

const EXTENSIONS: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
}

// Control characters (C0, DEL, C1) and format characters: bidi overrides and isolates (they
// disguise extensions: "gpj.exe"), zero-width characters, the BOM.
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu
// Characters Windows refuses in file names.
const RESERVED = /[<>:"|?*]/g

/** Leading and trailing dots and spaces cut in one pass (`[.\s]+$` is quadratic on "a....a"). */
function trimDotsAndSpaces(name: string): string {
  let start = 0
  let end = name.length
  while (start < end && (name[start] === '.' || name[start] === ' ')) start++
  while (end > start && (name[end - 1] === '.' || name[end - 1] === ' ')) end--
  return name.slice(start, end)
}

/**
 * A client-supplied file name made safe to store and show: the last path segment only, no
 * control or direction-override characters, no characters file systems refuse, bounded length
 * (extension kept). Falls back to `upload` plus an extension for the type.
 */
export function sanitizeFileName(raw: string | undefined, contentType: string): string {
  let name = (raw ?? '').normalize('NFC')
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1)
  name = name.replace(INVISIBLE, '').replace(RESERVED, '_').replace(/\s+/g, ' ').trim()
  name = trimDotsAndSpaces(name)
  if (name === '') return `upload${EXTENSIONS[contentType] ?? ''}`
  const chars = [...name]
  if (chars.length <= MAX_FILE_NAME_LENGTH) return name
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 && name.length - dot <= 16 ? [...name.slice(dot)] : []
  return chars.slice(0, MAX_FILE_NAME_LENGTH - ext.length).join('') + ext.join('')
}

/**
 * `Content-Disposition` with an ASCII `filename` fallback and the exact name as RFC 5987
 * `filename*` (UTF-8, percent-encoded).
 */
export function contentDisposition(type: 'inline' | 'attachment', fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`
}
