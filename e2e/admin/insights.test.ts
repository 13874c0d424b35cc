import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_PATH, launchBrowser } from '../support/browser.ts'
import { type RunningServer, startServer, type WidgetTenant } from '../support/server.ts'
import { ensureConsoleBuilt, shot } from './harness.ts'

const ORIGIN = 'https://acme.example'
const DAY = 86_400_000

/**
 * The Insights page, the owner's first page: real conversations made through the public widget
 * API with the built-in agent (answers, votes, CSAT, a hand-off, one uncovered question asked
 * three ways), spread over the last days, then read in Chromium on desktop and phone.
 */
describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'console insights page in Chromium',
  { timeout: 180_000 },
  () => {
    let server: RunningServer
    let tenant: WidgetTenant
    let browser: Browser

    const widget = async (path: string, body: Record<string, unknown>) => {
      const res = await fetch(`${server.url}/api/v1/widget${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body: JSON.stringify({ tenant_id: tenant.tenantId, public_key: tenant.publicKey, ...body }),
      })
      expect(res.status, await res.clone().text()).toBe(200)
      return (await res.json()) as Record<string, string>
    }
    const backdate = async (conversationId: string, days: number) => {
      const shift = (iso: string) => new Date(Date.parse(iso) - days * DAY).toISOString()
      for (const table of ['conversations', 'messages'] as const) {
        const key = table === 'conversations' ? 'id' : 'conversation_id'
        const rows = await server.db
          .selectFrom(table)
          .select(['id', 'created_at'])
          .where(key, '=', conversationId)
          .execute()
        for (const r of rows) {
          await server.db
            .updateTable(table)
            .set({ created_at: shift(r.created_at) })
            .where('id', '=', r.id)
            .execute()
        }
      }
    }

    beforeAll(async () => {
      ensureConsoleBuilt()
      server = await startServer()
      tenant = await server.createTenant({ allowed_origins: [ORIGIN] }, 'Acme Support', {
        consoleUser: true,
        articles: true,
      })
      const questions = [
        'I forgot my password',
        'How do I connect to the VPN?',
        'How do I add a printer?',
        'My computer is slow',
        'How do I set up MFA?',
        'The Wi-Fi in the office does not work',
      ]
      for (let i = 0; i < 12; i++) {
        const m = await widget('/messages', { body: questions[i % questions.length] })
        if (i % 3 === 0) {
          await widget('/feedback', {
            thread_id: m.thread_id,
            message_id: m.ai_message_id,
            rating: i % 2 === 0 ? 'up' : 'down',
          })
        }
        if (i % 4 === 1) await widget('/csat', { thread_id: m.thread_id, score: 3 + (i % 3) })
        await backdate(m.conversation_id!, i % 6)
      }
      await widget('/messages', { body: 'I want to talk to a person please' })
      for (const q of [
        'Do you ship to Mars?',
        'Can you deliver parcels to Mars?',
        'Is shipping to Mars possible?',
      ]) {
        await widget('/messages', { body: q })
      }
      browser = await launchBrowser()
    }, 300_000)
    afterAll(async () => {
      await browser?.close()
      await server?.close()
    })

    for (const [device, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        it(`${device} ${scheme}: lands on Insights with figures, a chart, the unanswered list; Write an article opens the editor; CSV export`, async () => {
          const context = await browser.newContext({
            viewport,
            colorScheme: scheme,
            reducedMotion: 'reduce',
            acceptDownloads: true,
          })
          try {
            const page = await context.newPage()
            const chunks: string[] = []
            page.on('request', (r) => chunks.push(new URL(r.url()).pathname))
            await page.goto(`${server.url}/admin`)
            await page.getByLabel('Email').fill(tenant.consoleUser!.email)
            await page.getByLabel('Password', { exact: true }).fill(tenant.consoleUser!.password)
            await page.getByRole('button', { name: 'Sign in' }).click()
            await page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor()
            expect(new URL(page.url()).pathname).toBe('/admin/insights')

            const figures = page.getByRole('list', { name: 'Figures of the period' })
            await figures.waitFor()
            expect(await figures.textContent()).toContain('Conversations1616 visitor messages')
            expect(await figures.textContent()).toContain('Handed off to a person')
            // The chart is drawn (uPlot's canvas) with its legend.
            const chart = page.getByRole('img', {
              name: /Conversations, resolved by the assistant/,
            })
            await chart.locator('canvas').waitFor()
            expect(await chart.textContent()).toContain('Resolved by assistant')
            expect((await chart.locator('canvas').boundingBox())!.width).toBeGreaterThan(250)

            const mars = page.locator('li.unanswered-item', { hasText: 'Mars' })
            expect(await mars.count()).toBe(1)
            expect(await mars.locator('.unanswered-count').textContent()).toBe('3×')
            await page
              .getByRole('heading', { name: 'Most cited articles' })
              .scrollIntoViewIfNeeded()
            expect(
              await page.getByRole('region', { name: 'Most cited articles' }).textContent(),
            ).toContain('Reset your password')
            await shot(page, `insights/${device}-${scheme}`, true)
            const noSidewaysScroll = await page.evaluate(
              () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
            )
            expect(noSidewaysScroll).toBe(true)

            const [download] = await Promise.all([
              page.waitForEvent('download'),
              page.getByRole('button', { name: 'Export CSV' }).click(),
            ])
            const csv = await (await download.createReadStream()).toArray()
            const text = Buffer.concat(csv as Buffer[]).toString('utf8')
            expect(text).toContain('conversations,16')
            expect(text).toContain('Is shipping to Mars possible?,3,3,0,')

            await mars.getByRole('button', { name: /^Write an article/ }).click()
            const editor = page.getByRole('dialog')
            await editor.waitFor()
            expect(await editor.getByLabel('Title').inputValue()).toBe(
              'Is shipping to Mars possible?',
            )
            await shot(page, `insights/${device}-${scheme}-write-article`)
            // The chart library came with this page, as its own chunk.
            expect(chunks.some((p) => /TrendChart-.*\.js$/.test(p))).toBe(true)
          } finally {
            await context.close()
          }
        })
      }
    }

    it('the chart library is not loaded on other console pages', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
      try {
        const page = await context.newPage()
        const scripts: string[] = []
        page.on('request', (r) => scripts.push(new URL(r.url()).pathname))
        await page.goto(`${server.url}/admin/api-keys`)
        await page.getByLabel('Email').fill(tenant.consoleUser!.email)
        await page.getByLabel('Password', { exact: true }).fill(tenant.consoleUser!.password)
        await page.getByRole('button', { name: 'Sign in' }).click()
        await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor()
        expect(scripts.some((p) => /TrendChart/.test(p))).toBe(false)
      } finally {
        await context.close()
      }
    })
  },
)
