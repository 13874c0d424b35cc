import type {
  ChatCompletionContentPart,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions'
import type { AgentAttachment, AgentRequest } from './agent.ts'

/** Image types OpenAI-compatible vision models take (no SVG: it is a document, not pixels). */
const VISION_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp'])
const MAX_IMAGES = 4
const MAX_IMAGE_BYTES = 10 * 1024 * 1024

/** How the visitor's attachments are described to the model in their message. */
export function attachmentNote(
  files: readonly AgentAttachment[],
  shown: ReadonlySet<string>,
): string {
  const list = files
    .map((f) => `${f.fileName} (${f.contentType}${shown.has(f.id) ? ', shown below' : ''})`)
    .join(', ')
  return `[The visitor attached: ${list}]`
}

/**
 * The messages with the visitor's attachments added to their latest message: always named in
 * text, and, for a vision-capable model, images as `image_url` parts (base64 data URLs, so the
 * model needs no access to this server). Files that cannot be read are only named.
 */
export async function withAttachments(
  messages: ChatCompletionMessageParam[],
  request: Pick<AgentRequest, 'attachments' | 'readAttachment'>,
  vision: boolean,
): Promise<ChatCompletionMessageParam[]> {
  const files = request.attachments ?? []
  const last = messages.at(-1)
  if (files.length === 0 || last?.role !== 'user' || typeof last.content !== 'string')
    return messages
  const images: ChatCompletionContentPart[] = []
  const shown = new Set<string>()
  if (vision && request.readAttachment) {
    for (const f of files) {
      if (images.length >= MAX_IMAGES || !VISION_TYPES.has(f.contentType)) continue
      if (f.sizeBytes > MAX_IMAGE_BYTES) continue
      const data = await request.readAttachment(f.id)
      if (!data) continue
      images.push({
        type: 'image_url',
        image_url: { url: `data:${f.contentType};base64,${data.toString('base64')}` },
      })
      shown.add(f.id)
    }
  }
  const text = `${last.content}\n\n${attachmentNote(files, shown)}`
  const content: string | ChatCompletionContentPart[] =
    images.length > 0 ? [{ type: 'text', text }, ...images] : text
  return [...messages.slice(0, -1), { role: 'user', content }]
}
