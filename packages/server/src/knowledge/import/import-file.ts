import type { Db } from '../../db/schema.ts'
import { conflict, invalidField, unsupportedMediaType } from '../../errors.ts'
import { sanitizeFileName } from '../../uploads/file-name.ts'
import { type ArticleRow, countArticles, createArticles } from '../article-repo.ts'
import { MAX_ARTICLES } from '../sources/sync-source.ts'
import { splitArticleBodies } from './article-body.ts'
import { documentKind, parseDocument, UnreadableDocumentError } from './document-parsers.ts'

/** An uploaded file to import. */
export interface ImportedFile {
  fileName: string
  contentType: string
  bytes: Buffer
}

/**
 * Turns an uploaded document (PDF, DOCX, HTML, Markdown, plain text) into articles: one, or
 * several when it is longer than an article may be (split at its sections, "… (part 2 of 3)").
 * The articles remember the file's name, which answers from them cite. 415 for other kinds of
 * file, 422 for one that cannot be read, 409 when the knowledge base would overflow.
 */
export async function importFile(
  db: Db,
  tenantId: string,
  file: ImportedFile,
): Promise<ArticleRow[]> {
  const fileName = sanitizeFileName(file.fileName, file.contentType)
  if (file.bytes.length === 0) throw invalidField(['body', 'file'], 'The file is empty')
  const kind = documentKind(file.bytes, fileName, file.contentType)
  if (!kind)
    throw unsupportedMediaType(
      'Unsupported file: import a PDF, DOCX, HTML, Markdown or plain text document',
    )
  let doc: Awaited<ReturnType<typeof parseDocument>>
  try {
    doc = await parseDocument(file.bytes, kind, fileName)
  } catch (err) {
    if (err instanceof UnreadableDocumentError) throw invalidField(['body', 'file'], err.message)
    throw err
  }
  const bodies = splitArticleBodies(doc.body)
  const have = await countArticles(db, tenantId)
  if (have + bodies.length > MAX_ARTICLES)
    throw conflict(`Knowledge base is full: at most ${MAX_ARTICLES} articles per tenant`)
  const title = (n: number) => {
    if (bodies.length === 1) return doc.title
    const suffix = ` (part ${n} of ${bodies.length})`
    return `${doc.title.slice(0, 200 - suffix.length)}${suffix}`
  }
  return createArticles(
    db,
    tenantId,
    bodies.map((body, i) => ({ title: title(i + 1), body, tags: [], origin: { file: fileName } })),
  )
}
