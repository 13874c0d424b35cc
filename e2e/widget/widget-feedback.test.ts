import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, newTestPage, screenshot } from '../support/browser.ts'
import {
  type HostSite,
  hostPage,
  type RunningServer,
  startHostSite,
  startServer,
  type WidgetTenant,
} from '../support/server.ts'
import { ensureWidgetBuilt } from '../support/widget-build.ts'
import { ask, axeViolations, composer, openPanel, poll, replies, settled } from './helpers.ts'

let server: RunningServer
let host: HostSite
let browser: Browser
let tenant: WidgetTenant

beforeAll(async () => {
  ensureWidgetBuilt()
  ;[server, host, browser] = await Promise.all([startServer(), startHostSite(), launchBrowser()])
  tenant = await server.createTenant({
    allowed_origins: [host.origin],
    display_title: 'Acme Support',
    quick_actions_enabled: false,
  })
  await server.seedArticles(tenant)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await host?.close()
  await server?.close()
})

const w = (sel: string) => `aurion-widget ${sel}`

interface Overview {
  feedback: { up: number; down: number }
  csat: { average: number | null; responses: number }
}
/** The figures the dashboard shows, through the public analytics API. */
async function overview(t: WidgetTenant): Promise<Overview> {
  const res = await fetch(`${server.url}/api/v1/analytics/overview`, {
    headers: { 'X-API-Key': t.apiKey },
  })
  expect(res.status).toBe(200)
  return (await res.json()) as Overview
}

/** The class and text of the focused element inside the widget. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.querySelector('aurion-widget')?.shadowRoot?.activeElement as
      | HTMLElement
      | null
      | undefined
    return el
      ? {
          tag: el.tagName.toLowerCase(),
          cls: el.className,
          text: el.textContent?.trim() ?? '',
          del: el.dataset.delete ?? null,
        }
      : null
  })

/** Opens "Past conversations" and signs in with an email when asked. */
async function openHistory(page: Page, email: string) {
  await page.locator(w('.aw-head button[aria-label="Past conversations"]')).click()
  const input = page.locator(w('.aw-field input[type="email"]'))
  const list = page.locator(w('.aw-who'))
  await poll(async () => (await input.count()) + (await list.count())).toBeGreaterThan(0)
  if (await input.count()) {
    await input.fill(email)
    await input.press('Enter')
    await list.waitFor()
  }
}

const conversationsOf = (t: WidgetTenant) =>
  server.db
    .selectFrom('conversations')
    .select('id')
    .where('tenant_id', '=', t.tenantId)
    .execute()
    .then((r) => r.map((c) => c.id).sort())

const VIEWS = [
  { name: 'desktop-light', scheme: 'light', phone: false },
  { name: 'desktop-dark', scheme: 'dark', phone: false },
  { name: 'phone-light', scheme: 'light', phone: true },
  { name: 'phone-dark', scheme: 'dark', phone: true },
] as const

describe('feedback, satisfaction and delete in the widget (switches on)', () => {
  for (const view of VIEWS) {
    it(`${view.name}: vote up, vote down with a comment, resolve and rate, delete`, async () => {
      host.setPage(hostPage(tenant.snippet), `/${view.name}`)
      const { page, context } = await newTestPage(browser, {
        viewport: view.phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
        colorScheme: view.scheme,
        ...(view.phone ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {}),
      })
      const email = `${view.name}@example.com`
      try {
        const before = await overview(tenant)
        await page.goto(`${host.origin}/${view.name}`)
        await openPanel(page)
        // Signed in first: the conversations of this visitor are listed in the history.
        await openHistory(page, email)
        await page.locator(w('.aw-pane > .aw-btn[data-ghost]')).click()

        // 1. Thumbs up on the first answer.
        await ask(page, 'How do I reset my password?')
        const first = replies(page).nth(0)
        const up = first.locator('.aw-vote[aria-label="Helpful"]')
        await up.waitFor()
        expect(await up.getAttribute('aria-pressed')).toBe('false')
        await up.click()
        await poll(() => up.getAttribute('aria-pressed')).toBe('true')
        await poll(() => first.locator('.aw-fb-note').innerText()).toBe('Thanks for your feedback')

        // 2. Thumbs down on the second, then a comment (focus starts in it).
        await ask(page, 'How do I connect to the VPN?')
        const second = replies(page).nth(1)
        const down = second.locator('.aw-vote[aria-label="Not helpful"]')
        await down.click()
        await poll(() => down.getAttribute('aria-pressed')).toBe('true')
        const box = second.locator('.aw-fb-form textarea')
        await box.waitFor()
        await poll(async () => (await focused(page))?.tag).toBe('textarea')
        await box.fill('It did not say which VPN client to install.')
        await settled(page)
        await screenshot(page, `widget/feedback-${view.name}-vote-comment`)
        await second.locator('.aw-fb-form button[type="submit"]').click()
        await poll(() => second.locator('.aw-fb-form').count()).toBe(0)
        // The focus is back on the thumbs down that opened the comment.
        expect(await focused(page)).toMatchObject({ cls: 'aw-vote' })
        expect(await first.locator('.aw-resolve').count()).toBe(0)

        // The server has both votes, the second with its comment.
        const votes = await server.db
          .selectFrom('message_feedback')
          .select(['rating', 'comment'])
          .where('tenant_id', '=', tenant.tenantId)
          .orderBy('rating', 'desc')
          .execute()
        expect(votes).toEqual(
          expect.arrayContaining([
            { rating: 'up', comment: null },
            { rating: 'down', comment: 'It did not say which VPN client to install.' },
          ]),
        )

        // 3. "My question is answered": resolved, then the satisfaction question takes the focus.
        await second.locator('.aw-resolve').click()
        const csat = page.locator(w('.aw-csat'))
        await csat.waitFor()
        await poll(() => page.locator(w('.aw-event[data-kind="resolved"]')).count()).toBe(1)
        await poll(async () => (await focused(page))?.text).toBe('1')
        expect(await page.locator(w('.aw-resolve')).count()).toBe(0)
        await settled(page)
        await screenshot(page, `widget/feedback-${view.name}-csat`)
        if (view.name === 'desktop-light') expect(await axeViolations(page)).toEqual([])
        await csat.locator('.aw-score', { hasText: '4' }).click()
        await poll(() => csat.locator('.aw-score[aria-pressed="true"]').innerText()).toBe('4')
        await csat.locator('.aw-fb-form .aw-link').click()
        await page.locator(w('.aw-csat-done')).waitFor()
        await poll(async () => (await focused(page))?.cls).toBe('aw-csat-done')

        const after = await overview(tenant)
        expect(after.feedback).toEqual({
          up: before.feedback.up + 1,
          down: before.feedback.down + 1,
        })
        expect(after.csat.responses).toBe(before.csat.responses + 1)
        // A reload keeps the votes and does not ask again.
        await page.reload()
        await openPanel(page)
        await poll(() =>
          replies(page).nth(0).locator('.aw-vote[aria-pressed="true"]').getAttribute('aria-label'),
        ).toBe('Helpful')

        // 4. A second conversation, then the history lists both.
        await openHistory(page, email)
        await page.locator(w('.aw-pane > .aw-btn[data-ghost]')).click()
        await ask(page, 'How do I set up multi-factor authentication?')
        const ids = await conversationsOf(tenant)
        await openHistory(page, email)
        const items = page.locator(w('.aw-conv-item'))
        await poll(() => items.count()).toBe(2)
        await settled(page)
        await screenshot(page, `widget/feedback-${view.name}-history`)

        // 5. Open the older one and delete it from its view: back to the list, without it.
        await items.nth(1).locator('.aw-conv').click()
        const delOpen = page.locator(w('.aw-del-open .aw-btn'))
        await delOpen.click()
        const dialog = page.locator(w('[role="alertdialog"]'))
        await dialog.waitFor()
        await poll(async () => (await focused(page))?.text).toBe('Cancel')
        await settled(page)
        await screenshot(page, `widget/feedback-${view.name}-confirm-open`)
        await dialog.locator('button[data-danger]').click()
        await poll(() => items.count()).toBe(1)
        await poll(async () => (await focused(page))?.cls).toBe('aw-done')
        expect(await page.locator(w('.aw-done')).innerText()).toBe('The conversation was deleted.')
        await poll(async () => (await conversationsOf(tenant)).length).toBe(ids.length - 1)

        // 6. Delete the live one from the list: Escape cancels (focus back), then delete.
        await items.locator('.aw-conv-del').click()
        await dialog.waitFor()
        await poll(async () => (await focused(page))?.text).toBe('Cancel')
        await page.keyboard.press('Tab')
        expect(await focused(page)).toMatchObject({ text: 'Delete' })
        await page.keyboard.press('Tab')
        expect(await focused(page)).toMatchObject({ text: 'Cancel' })
        await page.keyboard.press('Escape')
        await poll(() => dialog.count()).toBe(0)
        // Escape closed the question, not the panel.
        expect(await page.locator(w('.aw-panel')).count()).toBe(1)
        await poll(async () => (await focused(page))?.del).toBeTruthy()
        await items.locator('.aw-conv-del').click()
        await settled(page)
        await screenshot(page, `widget/feedback-${view.name}-confirm-list`)
        await dialog.locator('button[data-danger]').click()
        await poll(() => items.count()).toBe(0)
        await poll(async () => (await conversationsOf(tenant)).length).toBe(ids.length - 2)
        // The live view started over: no messages of the deleted thread.
        await page.locator(w('.aw-head button[aria-label="Back"]')).click()
        await poll(() => replies(page).count()).toBe(0)
        expect(await page.locator(w('.aw-row[data-role="visitor"]')).count()).toBe(0)
        // The figures lost the deleted conversations' votes and score.
        const gone = await overview(tenant)
        expect(gone.feedback).toEqual(before.feedback)
        expect(gone.csat.responses).toBe(before.csat.responses)
      } finally {
        await context.close()
      }
    })
  }
})

describe('resolved by a person', () => {
  it('the satisfaction question appears, and its score is stored for that conversation', async () => {
    host.setPage(hostPage(tenant.snippet), '/person')
    const { page, context } = await newTestPage(browser, { viewport: { width: 1280, height: 860 } })
    try {
      await page.goto(`${host.origin}/person`)
      await openPanel(page)
      await ask(page, 'How do I add a printer?')
      await page.locator(w('.aw-resolve')).waitFor()
      const { conversationId } = await page.evaluate(
        (k) => JSON.parse(localStorage.getItem(k) ?? '{}'),
        `aurion:${tenant.tenantId}:chat`,
      )
      // The visitor reads to the end of the answer.
      const body = page.locator(w('.aw-body'))
      await body.evaluate((el) => {
        el.scrollTop = el.scrollHeight
      })
      await poll(() =>
        body.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight),
      ).toBeLessThan(2)
      await composer(page).focus()
      // A person resolves it from the team's side (the console's API).
      const res = await fetch(`${server.url}/api/v1/conversations/${conversationId}`, {
        method: 'PATCH',
        headers: { 'X-API-Key': tenant.apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ status: 'resolved' }),
      })
      expect(res.status).toBe(200)
      const csat = page.locator(w('.aw-csat'))
      await csat.waitFor()
      expect(await page.locator(w('.aw-resolve')).count()).toBe(0)
      // The visitor was typing in the composer: the question does not take the focus from it.
      expect((await focused(page))?.tag).toBe('textarea')
      // They were at the end of the conversation: the question came in there, in view.
      expect(
        await csat.evaluate((el) => {
          const body = el.closest('.aw-body')!.getBoundingClientRect()
          const r = el.getBoundingClientRect()
          return r.top >= body.top && r.bottom <= body.bottom + 1
        }),
      ).toBe(true)
      await csat.locator('.aw-score', { hasText: '5' }).click()
      const box = csat.locator('.aw-fb-form textarea')
      await box.fill('Quick and clear.')
      await csat.locator('.aw-fb-form button[type="submit"]').click()
      await page.locator(w('.aw-csat-done')).waitFor()
      const row = await server.db
        .selectFrom('conversation_csat')
        .select(['score', 'comment'])
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst()
      expect(row).toEqual({ score: 5, comment: 'Quick and clear.' })
    } finally {
      await context.close()
    }
  })
})

describe('switches off', () => {
  it('no votes, no "answered", no satisfaction question, and the feedback chunk never loads', async () => {
    const off = await server.createTenant(
      {
        allowed_origins: [host.origin],
        feedback_enabled: false,
        csat_enabled: false,
        quick_actions_enabled: false,
      },
      'Quiet',
    )
    await server.seedArticles(off)
    host.setPage(hostPage(off.snippet), '/off')
    const { page, context } = await newTestPage(browser, { viewport: { width: 1280, height: 860 } })
    const chunks: string[] = []
    page.on('request', (r) => chunks.push(new URL(r.url()).pathname))
    try {
      await page.goto(`${host.origin}/off`)
      await openPanel(page)
      await ask(page, 'How do I reset my password?')
      // The reply's own parts (sources) have rendered: votes would be in the same place.
      await replies(page).nth(0).locator('.aw-srcs').waitFor()
      expect(await page.locator(w('.aw-vote')).count()).toBe(0)
      expect(await page.locator(w('.aw-resolve')).count()).toBe(0)

      // Resolved by someone else (here its visitor's REST call): the widget shows it, asks nothing.
      const stored = await page.evaluate(
        (k) => JSON.parse(localStorage.getItem(k) ?? '{}'),
        `aurion:${off.tenantId}:chat`,
      )
      const res = await fetch(
        `${server.url}/api/v1/widget/conversations/${stored.conversationId}/resolve`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: host.origin },
          body: JSON.stringify({
            tenant_id: off.tenantId,
            public_key: off.publicKey,
            source_thread_id: stored.threadId,
          }),
        },
      )
      expect(res.status).toBe(200)
      await page.locator(w('.aw-event[data-kind="resolved"]')).waitFor()
      expect(await page.locator(w('.aw-csat')).count()).toBe(0)
      expect(chunks.filter((p) => /\/feedback-[\w-]+\.js$/.test(p))).toEqual([])
      expect(chunks.some((p) => /\/person-parts-[\w-]+\.js$/.test(p))).toBe(true)
      await page.locator(w('.aw-body')).evaluate((el) => el.scrollTo(0, el.scrollHeight))
      await screenshot(page, 'widget/feedback-switches-off')
    } finally {
      await context.close()
    }
  })
})
