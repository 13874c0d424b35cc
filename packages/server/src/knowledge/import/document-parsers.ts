import mammoth from 'mammoth'
import { extractText, getDocumentProxy } from 'unpdf'
import { type ExtractedDocument, extractHtmlDocument } from './html-content.ts'

/** The file kinds `POST /api/v1/knowledge/import` reads. */
export type DocumentKind = 'pdf' | 'docx' | 'html' | 'markdown' | 'text'

/** A file the server cannot read as a document of its kind (422 for the uploader). */
export class UnreadableDocumentError extends Error {
  override name = 'UnreadableDocumentError'
}

const EXTENSIONS: Record<string, DocumentKind> = {
  pdf: 'pdf',
  docx: 'docx',
  html: 'html',
  htm: 'html',
  md: 'markdown',
  markdown: 'markdown',
  txt: 'text',
  text: 'text',
}

/**
 * The kind of an uploaded file from its bytes first (PDF and DOCX have signatures), then its
 * name and declared type; undefined for anything else (images, spreadsheets, binaries).
 */
export function documentKind(
  bytes: Buffer,
  fileName: string,
  contentType: string,
): DocumentKind | undefined {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf'
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? ''
  const byExt = EXTENSIONS[ext]
  const zip = bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))
  if (zip) return byExt === 'docx' || contentType.includes('wordprocessingml') ? 'docx' : undefined
  if (byExt === 'pdf' || byExt === 'docx') return undefined // claims a format its bytes are not
  if (!looksLikeText(bytes)) return undefined
  if (byExt) return byExt
  const type = contentType.split(';')[0]!.trim().toLowerCase()
  if (type === 'text/html') return 'html'
  if (type === 'text/markdown') return 'markdown'
  if (type === 'text/plain') return 'text'
  return undefined
}

/** Valid UTF-8 without NUL bytes. */
function looksLikeText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

/**
 * Title and body of a document, with maintained parsers: PDF text through pdf.js (unpdf), DOCX
 * through mammoth (to HTML, headings kept), HTML through the readability extraction, Markdown and
 * plain text as they are. The title: the document's own (PDF metadata, first heading), else the
 * file name without its extension.
 */
export async function parseDocument(
  bytes: Buffer,
  kind: DocumentKind,
  fileName: string,
): Promise<ExtractedDocument> {
  const fallbackTitle = fileName.replace(/\.[a-z0-9]+$/i, '').trim() || fileName
  let doc: ExtractedDocument
  switch (kind) {
    case 'pdf':
      doc = await parsePdf(bytes)
      break
    case 'docx': {
      let html: string
      try {
        html = (await mammoth.convertToHtml({ buffer: bytes })).value
      } catch {
        throw new UnreadableDocumentError('The file is not a readable DOCX document')
      }
      doc = extractHtmlDocument(`<html><body><main>${html}</main></body></html>`)
      break
    }
    case 'html':
      doc = extractHtmlDocument(bytes.toString('utf8'))
      break
    case 'markdown':
    case 'text':
      doc = textDocument(bytes.toString('utf8').replace(/^\uFEFF/, ''))
      break
  }
  const body = doc.body.replace(/\r\n?/g, '\n').trim()
  if (body === '') throw new UnreadableDocumentError('The file holds no text to import')
  return { title: (doc.title.trim() || fallbackTitle).slice(0, 200), body }
}

/** A Markdown or text file: a leading `# Title` line is the title. */
function textDocument(text: string): ExtractedDocument {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const first = lines.findIndex((l) => l.trim() !== '')
  const m = first === -1 ? null : /^#[ \t]+(.+)$/.exec(lines[first]!.trim())
  if (m) {
    lines.splice(first, 1)
    return { title: m[1]!.replace(/#+$/, '').trim(), body: lines.join('\n') }
  }
  return { title: '', body: text }
}

async function parsePdf(bytes: Buffer): Promise<ExtractedDocument> {
  try {
    const pdf = await getDocumentProxy(new Uint8Array(bytes))
    const meta = await pdf.getMetadata().catch(() => undefined)
    const info = (meta?.info ?? {}) as { Title?: unknown }
    const { text } = await extractText(pdf, { mergePages: false })
    const pages = (Array.isArray(text) ? text : [text]).map((t) => t.trim()).filter(Boolean)
    await pdf.destroy()
    return {
      title: typeof info.Title === 'string' ? info.Title.trim() : '',
      body: pages.join('\n\n'),
    }
  } catch {
    throw new UnreadableDocumentError('The file is not a readable PDF document')
  }
}
