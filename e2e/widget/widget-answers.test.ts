import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createArticle } from '../../packages/server/src/knowledge/article-repo.ts'
import { launchBrowser, newTestPage } from '../support/browser.ts'
import {
  type HostSite,
  hostPage,
  type RunningServer,
  startHostSite,
  startServer,
  type WidgetTenant,
} from '../support/server.ts'
import { ensureWidgetBuilt } from '../support/widget-build.ts'
import {
  ask,
  composer,
  launcher,
  openPanel,
  panel,
  poll,
  replies,
  settled,
  storedMessages,
  visitorRows,
} from './helpers.ts'

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots-agent-lang'
const INTERNAL_TOKEN = 'e2e-internal-token-0123456789abcdefghijkl'

// A section long enough to be taller than the panel: the answer must not land on its end.
const STEPS = Array.from(
  { length: 22 },
  (_, i) =>
    `${i + 1}. Step ${i + 1} of the expense claim: check the receipt, the amount and the cost centre before you go on.`,
).join('\n')

let server: RunningServer
let host: HostSite
let browser: Browser
let tenant: WidgetTenant

beforeAll(async () => {
  ensureWidgetBuilt()
  mkdirSync(SHOTS, { recursive: true })
  ;[server, host, browser] = await Promise.all([
    startServer({ env: { AURION_INTERNAL_TOKEN: INTERNAL_TOKEN } }),
    startHostSite(),
    launchBrowser(),
  ])
  tenant = await server.createTenant({
    allowed_origins: [host.origin],
    display_title: 'Acme Support',
    welcome_text: 'Hi! Ask me anything.',
  })
  await server.seedArticles(tenant)
  await createArticle(server.db, tenant.tenantId, {
    title: 'Claim travel expenses',
    tags: ['expenses', 'expense claim', 'travel'],
    body: `Claim what you spent on a business trip within 30 days.\n\n## Submit an expense claim\n${STEPS}\n\n## Mileage\nCar journeys are paid per kilometre.\n\n## Per diem\nMeals abroad are covered by a daily allowance.`,
  })
  host.setPage(hostPage(tenant.snippet))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await server?.close()
})

const body = (page: Page) => page.locator('aurion-widget .aw-body')

/** Where the newest reply starts, relative to the visible part of the message list. */
async function answerPlacement(page: Page) {
  return body(page).evaluate((el) => {
    const rows = el.querySelectorAll<HTMLElement>('.aw-row[data-role="assistant"][data-state]')
    const row = rows[rows.length - 1]!
    const top = row.getBoundingClientRect().top - el.getBoundingClientRect().top
    return {
      top,
      height: el.clientHeight,
      rowHeight: row.offsetHeight,
      atBottom: el.scrollHeight - el.scrollTop - el.clientHeight < 4,
    }
  })
}

const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  },
} as const

describe('answers that read like a product', () => {
  for (const [device, opts] of Object.entries(VIEWPORTS)) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`${device}, ${scheme}: a long answer keeps its start in view; sources are cards; follow-ups are buttons that send`, async () => {
        const { page, context, errors } = await newTestPage(browser, {
          ...opts,
          colorScheme: scheme,
        })
        await page.goto(host.origin)
        await launcher(page).waitFor()
        await openPanel(page)

        // A long answer: its first line is in view, the list is not scrolled to its end.
        await ask(page, 'How do I submit an expense claim?')
        await settled(page)
        const placed = await answerPlacement(page)
        expect(placed.rowHeight).toBeGreaterThan(placed.height)
        expect(placed.top).toBeGreaterThanOrEqual(0)
        expect(placed.top).toBeLessThan(40)
        expect(placed.atBottom).toBe(false)
        const reply = replies(page).nth((await replies(page).count()) - 1)
        expect(await reply.locator('.aw-bub').innerText()).toContain('Step 1 of the expense claim')
        await page.screenshot({ path: `${SHOTS}/${device}-${scheme}-long-answer.png` })

        // The source is a card, not a "Source:" line; the text has no "also covers" prose.
        const text = await reply.locator('.aw-bub').innerText()
        expect(text).not.toMatch(/Source:|also covers|Just ask/)
        const card = reply.locator('.aw-srcs .aw-src')
        await expect(card.innerText()).resolves.toContain('Claim travel expenses')

        // Follow-ups are buttons; one sends its question and gets the section, heading not echoed.
        const buttons = reply.locator('.aw-fu button')
        await poll(() => buttons.allInnerTexts()).toEqual(['Mileage', 'Per diem'])
        await body(page).evaluate((el) => {
          el.scrollTop = el.scrollHeight
        })
        await settled(page)
        await page.screenshot({ path: `${SHOTS}/${device}-${scheme}-follow-ups.png` })
        const before = await replies(page).count()
        await buttons.filter({ hasText: 'Per diem' }).click()
        await poll(() => visitorRows(page).last().innerText()).toContain('Per diem')
        const next = replies(page).nth(before)
        await poll(() => next.getAttribute('data-state'), { timeout: 15_000 }).toBe('done')
        const answer = (await next.locator('.aw-bub').innerText()).trim()
        expect(answer).toBe('Meals abroad are covered by a daily allowance.')
        // Only the newest reply offers follow-ups.
        expect(await reply.locator('.aw-fu').count()).toBe(0)
        await poll(() => next.locator('.aw-fu button').allInnerTexts()).toEqual(['Mileage'])

        // A source with a page is a link card that opens it in a new tab.
        const stored = await storedMessages(server.db, tenant.tenantId)
        const conversationId = stored.at(-1)!.conversation_id
        const res = await fetch(
          `${server.url}/internal/v1/conversations/${conversationId}/messages`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${INTERNAL_TOKEN}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({
              tenant_id: tenant.tenantId,
              sender: 'ai',
              body: 'Our travel policy has the details.',
              segment_id: `seg-${device}-${scheme}`,
              metadata: {
                sources: [
                  { title: 'Travel policy', url: 'https://help.example.com/travel-policy' },
                  { title: 'Sneaky', url: 'javascript:alert(1)' },
                ],
              },
            }),
          },
        )
        expect(res.status).toBe(200)
        const link = panel(page).locator('a.aw-src')
        await link.waitFor()
        expect(await link.count()).toBe(1)
        expect(await link.getAttribute('href')).toBe('https://help.example.com/travel-policy')
        expect(await link.getAttribute('target')).toBe('_blank')
        expect(await link.getAttribute('rel')).toBe('noopener noreferrer')
        await expect(link.innerText()).resolves.toContain('help.example.com')
        // The script URL is shown as a plain card, never as a link.
        const sneaky = panel(page).locator('.aw-src', { hasText: 'Sneaky' })
        expect(await sneaky.evaluate((el) => el.tagName)).toBe('DIV')
        await settled(page)
        await page.screenshot({ path: `${SHOTS}/${device}-${scheme}-link-card.png` })

        // Sending a message brings the list back to its end.
        await composer(page).fill('thanks')
        await composer(page).press('Enter')
        await poll(() => visitorRows(page).last().innerText()).toContain('thanks')
        await poll(async () => (await answerPlacement(page)).atBottom).toBe(true)
        expect(errors).toEqual([])
        await context.close()
      })
    }
  }

  for (const [device, scheme] of [
    ['desktop', 'light'],
    ['phone', 'dark'],
  ] as const) {
    it(`${device}, ${scheme}: a screenshot is shown as a thumbnail and acknowledged`, async () => {
      const { page, context, errors } = await newTestPage(browser, {
        ...VIEWPORTS[device],
        colorScheme: scheme,
      })
      await page.goto(host.origin)
      await launcher(page).waitFor()
      await openPanel(page)
      // A real picture, drawn by the browser: 120×80 with the "error" on it.
      const png = Buffer.from(
        await page.evaluate(() => {
          const c = document.createElement('canvas')
          c.width = 120
          c.height = 80
          const g = c.getContext('2d')!
          g.fillStyle = '#c0392b'
          g.fillRect(0, 0, 120, 80)
          g.fillStyle = '#fff'
          g.font = 'bold 18px sans-serif'
          g.fillText('Error 0x41', 10, 46)
          return c.toDataURL('image/png').split(',')[1]!
        }),
        'base64',
      )
      await page.locator('aurion-widget .aw-compose input[type="file"]').setInputFiles({
        name: 'error.png',
        mimeType: 'image/png',
        buffer: png,
      })
      const chip = page.locator('aurion-widget .aw-compose .aw-file')
      await poll(() => chip.locator('[role="progressbar"]').count()).toBe(0)
      const text = await ask(page, 'Here is a screenshot of the error')
      expect(text).toMatch(/^Thanks, I have your file "error\.png"\. I can't look at images myself/)
      const thumb = visitorRows(page).last().locator('img.aw-thumb')
      await thumb.waitFor()
      await poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(120)
      await settled(page)
      await page.screenshot({ path: `${SHOTS}/${device}-${scheme}-thumbnail.png` })
      expect(errors).toEqual([])
      await context.close()
    })
  }
})
