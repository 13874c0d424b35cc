import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { type AddressInfo, connect, createServer, type Socket } from 'node:net'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  type EmbeddingsServer,
  startEmbeddingsServer,
} from '../../packages/server/test/embeddings-server.ts'
import { CHROMIUM_PATH } from '../support/browser.ts'
import { type ConsoleServer, shot, useConsole } from './harness.ts'

const MARKDOWN = `# Store pickup

Orders placed before noon are ready for pickup the same afternoon.

## Opening times

The pickup desk is open from 9 to 18 on weekdays.
`

const REFUNDS = `# Refunds for damaged deliveries

If your package arrives broken, tell us within 14 days and we return your money to the card you paid with.
`
/** Not one word in common with the refunds article: only hybrid search finds it. */
const QUESTION = 'Can I be reimbursed when a parcel shows up cracked?'

/** A PDF with a text page and, to make the upload last long enough to watch, an attachment of noise. */
async function manualPdf(padBytes: number): Promise<Buffer> {
  const pdf = await PDFDocument.create()
  pdf.setTitle('Grinder manual')
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  pdf.addPage().drawText('Clean the burrs of the grinder once a month with a dry brush.', {
    x: 50,
    y: 720,
    font,
    size: 12,
  })
  if (padBytes > 0)
    await pdf.attach(randomBytes(padBytes), 'padding.bin', { mimeType: 'application/octet-stream' })
  return Buffer.from(await pdf.save({ useObjectStreams: false }))
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)

/** Serious and critical axe-core findings on the page. */
async function axeFindings(page: Page): Promise<string[]> {
  await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)
  })
}

/**
 * A loopback TCP proxy in front of `target` passing at most `bytesPerSec` from the browser to
 * the server (a slow uplink: the upload's progress can be watched); answers pass at full speed.
 */
async function startSlowUplink(target: string, bytesPerSec: number) {
  const to = new URL(target)
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(Number(to.port), to.hostname)
    for (const sock of [client, upstream]) {
      sockets.add(sock)
      sock.on('close', () => sockets.delete(sock))
      sock.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    upstream.pipe(client)
    client.on('data', (chunk) => {
      client.pause()
      upstream.write(chunk)
      setTimeout(() => client.resume(), (chunk.length / bytesPerSec) * 1000)
    })
    client.on('end', () => upstream.end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const sock of sockets) sock.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Drops files onto the drop zone as a browser drag from the desktop would. */
async function dropFiles(page: Page, files: { name: string; type: string; size?: number }[]) {
  await page.getByTestId('import-drop').evaluate((zone, list) => {
    const data = new DataTransfer()
    for (const f of list)
      data.items.add(new File([new Uint8Array(f.size ?? 64).fill(137)], f.name, { type: f.type }))
    zone.dispatchEvent(new DragEvent('dragover', { bubbles: true, dataTransfer: data }))
    zone.dispatchEvent(new DragEvent('drop', { bubbles: true, dataTransfer: data }))
  }, files)
}

describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'console document import in Chromium',
  { timeout: 120_000 },
  () => {
    let s: ConsoleServer
    let browser: Browser
    let embeddings: EmbeddingsServer
    const requests: string[] = []

    useConsole((c) => ({ s, browser } = c), {
      // Hybrid search on, with a loopback model that knows a few synonyms (test/embeddings-server.ts).
      before: async () => {
        embeddings = await startEmbeddingsServer()
      },
      env: () => ({
        AURION_EMBEDDINGS_URL: embeddings.url,
        AURION_EMBEDDINGS_MODEL: 'concepts',
        AURION_FETCH_ALLOW_PRIVATE: 'true',
      }),
      after: () => embeddings.close(),
    })

    async function signedIn(opts: BrowserContextOptions, base = s.url) {
      const context = await browser.newContext({ reducedMotion: 'reduce', ...opts })
      const res = await context.request.post(`${s.url}/api/v1/auth/login`, {
        data: { email: s.email, password: s.password },
      })
      expect(res.status()).toBe(200)
      const page = await context.newPage()
      page.on('request', (r) => {
        if (r.url().endsWith('/api/v1/knowledge/import')) requests.push(r.method())
      })
      await page.goto(`${base}/admin/knowledge`)
      return { context, page }
    }
    const card = (page: Page) => page.getByRole('region', { name: 'Documents' })
    const row = (page: Page, name: string) =>
      card(page).locator('.import-row').filter({ hasText: name })

    it('imports a Markdown file and a PDF with progress, lists their articles, refuses a bad type with the server’s reason', async () => {
      // Through a slow uplink (2 MB/s), so the PDF's progress can be seen.
      const uplink = await startSlowUplink(s.url, 2 * 1024 * 1024)
      const { context, page } = await signedIn(
        { viewport: { width: 1280, height: 860 } },
        uplink.url,
      )
      try {
        await page
          .getByRole('region', { name: /Articles/ })
          .getByText('No articles yet')
          .waitFor()
        const chooser = page.waitForEvent('filechooser')
        await card(page).getByRole('button', { name: 'Choose files' }).click()
        await (await chooser).setFiles([
          { name: 'store-pickup.md', mimeType: 'text/markdown', buffer: Buffer.from(MARKDOWN) },
          {
            name: 'grinder-manual.pdf',
            mimeType: 'application/pdf',
            buffer: await manualPdf(12 * 1024 * 1024),
          },
        ])
        // The Markdown goes first and becomes its article; the PDF uploads with a progress bar.
        await row(page, 'store-pickup.md').getByText('1 article').waitFor()
        await row(page, 'store-pickup.md').getByRole('button', { name: 'Store pickup' }).waitFor()
        const pdfRow = row(page, 'grinder-manual.pdf')
        await pdfRow.getByText(/Uploading [1-9]\d?%/).waitFor({ timeout: 20_000 })
        const progress = pdfRow.getByRole('progressbar')
        expect(Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThan(0)
        await shot(page, 'import-progress')
        await row(page, 'grinder-manual.pdf').getByText('1 article').waitFor({ timeout: 30_000 })
        await row(page, 'grinder-manual.pdf')
          .getByRole('button', { name: 'Grinder manual' })
          .waitFor()
        // The articles list picked them up.
        const articles = page.getByRole('region', { name: /Articles/ })
        await articles.getByText('2 articles').waitFor()
        await articles.getByText('grinder-manual.pdf').waitFor()

        // A file of another kind, dropped: the server refuses it and says why.
        const before = requests.length
        await dropFiles(page, [{ name: 'photo.png', type: 'image/png' }])
        const refused = row(page, 'photo.png')
        await refused.getByText('Not imported').waitFor()
        await refused
          .getByRole('alert')
          .getByText('Unsupported file: import a PDF, DOCX, HTML, Markdown or plain text document')
          .waitFor()
        expect(requests.length).toBe(before + 1)
        // Too large: refused before anything is sent.
        await dropFiles(page, [{ name: 'huge.txt', type: 'text/plain', size: 21 * 1024 * 1024 }])
        await row(page, 'huge.txt').getByText('File too large: at most 20 MB').waitFor()
        expect(requests.length).toBe(before + 1)
        await articles.getByText('2 articles').waitFor()
        await shot(page, 'import-desktop-light', true)
        expect(await axeFindings(page)).toEqual([])

        // An imported article opens in the editor from the list.
        await row(page, 'store-pickup.md').getByRole('button', { name: 'Store pickup' }).click()
        const editor = page.getByRole('dialog')
        await editor.waitFor()
        await expect(editor.getByLabel('Title').inputValue()).resolves.toBe('Store pickup')
        await page.keyboard.press('Escape')
        await editor.waitFor({ state: 'hidden' })

        await card(page).getByRole('button', { name: 'Clear list' }).click()
        await expect(card(page).locator('.import-row').count()).resolves.toBe(0)

        // Embedded in the background: "Try a question" finds it by meaning (hybrid search).
        const next = page.waitForEvent('filechooser')
        await card(page).getByRole('button', { name: 'Choose files' }).click()
        await (await next).setFiles([
          { name: 'refunds.md', mimeType: 'text/markdown', buffer: Buffer.from(REFUNDS) },
        ])
        await row(page, 'refunds.md').getByText('1 article').waitFor()
        const tryCard = page.getByRole('region', { name: /Try a question/ })
        await tryCard.getByLabel('Question').fill(QUESTION)
        await expect
          .poll(
            async () => {
              await tryCard.getByRole('button', { name: 'Ask' }).click()
              await tryCard.locator('.try-results > *').first().waitFor()
              return tryCard.locator('.try-results').innerText()
            },
            { timeout: 20_000, interval: 500 },
          )
          .toContain('The assistant would answer from Refunds for damaged deliveries.')
        await tryCard
          .getByText(/similarity 0\.\d\d \(hybrid search\)/)
          .first()
          .waitFor()
        await shot(page, 'import-hybrid-try', true)
      } finally {
        await context.close()
        await uplink.close()
      }
    })

    // (The console has no dark theme yet: the dark screenshots show it as it is, light.)
    for (const [name, opts] of [
      ['desktop-dark', { viewport: { width: 1280, height: 860 }, colorScheme: 'dark' }],
      ['phone-light', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
      [
        'phone-dark',
        {
          viewport: { width: 390, height: 844 },
          isMobile: true,
          hasTouch: true,
          colorScheme: 'dark',
        },
      ],
    ] as const)
      it(`looks right: ${name}`, async () => {
        const { context, page } = await signedIn(opts)
        try {
          const chooser = page.waitForEvent('filechooser')
          await card(page).getByRole('button', { name: 'Choose files' }).click()
          await (await chooser).setFiles([
            {
              name: `a-rather-long-document-name-for-${name}.md`,
              mimeType: 'text/markdown',
              buffer: Buffer.from(MARKDOWN.replace('Store pickup', `Store pickup ${name}`)),
            },
          ])
          await card(page).getByText('1 article').waitFor()
          await dropFiles(page, [{ name: 'photo.png', type: 'image/png' }])
          await card(page).getByText('Not imported').waitFor()
          await card(page).scrollIntoViewIfNeeded()
          await shot(page, `import-${name}`)
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          )
          expect(overflow, name).toBeLessThanOrEqual(0)
        } finally {
          await context.close()
        }
      })
  },
)
