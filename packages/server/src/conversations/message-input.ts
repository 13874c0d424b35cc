import { WIDGET_METADATA_MAX_BYTES } from '@aurion/contract'
import { invalidField } from '../errors.ts'

const MAX_SUBJECT = 80

/** The message body trimmed; a blank one is a 422. */
export function requireBody(body: string): string {
  const trimmed = body.trim()
  if (trimmed === '')
    throw invalidField(['body', 'body'], 'body must not be blank', 'string_too_short')
  return trimmed
}

/** A message's metadata must serialise to JSON within the contract's size limit (else 422). */
export function checkMetadataSize(metadata: Record<string, unknown>): void {
  let size: number
  try {
    size = Buffer.byteLength(JSON.stringify(metadata), 'utf8')
  } catch {
    throw invalidField(['body', 'metadata'], 'metadata must be a JSON object')
  }
  if (size > WIDGET_METADATA_MAX_BYTES) {
    throw invalidField(
      ['body', 'metadata'],
      `metadata must be at most ${WIDGET_METADATA_MAX_BYTES} bytes as JSON (got ${size})`,
    )
  }
}

/** First line of a message, whitespace collapsed, cut at a word boundary. */
export function subjectFromText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= MAX_SUBJECT) return flat
  const cut = flat.slice(0, MAX_SUBJECT - 1)
  const space = cut.lastIndexOf(' ')
  return `${(space > MAX_SUBJECT / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
}
