import { existsSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_PATH, screenshot } from '../support/browser.ts'
import { type HostSite, hostPage, startHostSite } from '../support/server.ts'
import { ask, composer, openPanel, poll, replies, storedMessages } from '../widget/helpers.ts'
import { type ConsoleServer, shot, signIn, useConsole } from './harness.ts'

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }

/** The widget's rows of a person's messages (shadow DOM is pierced by CSS locators). */
const agentRows = (page: Page) => page.locator('aurion-widget .aw-row[data-role="agent"]')

/**
 * The acceptance, side by side in two browser contexts: a visitor on a customer's page
 * and an agent in the console. Every wait is on something visible, never a sleep.
 */
describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'human hand-off in Chromium: widget and inbox',
  { timeout: 240_000 },
  () => {
    let s: ConsoleServer
    let host: HostSite
    let browser: Browser

    useConsole((c) => ({ s, browser } = c), {
      widget: true,
      before: async () => {
        host = await startHostSite()
      },
      after: () => host.close(),
    })
    beforeAll(async () => {
      await s.server.configure(s.tenant, { allowed_origins: [host.origin] })
      host.setPage(hostPage(s.tenant.snippet))
    })

    it('ask for a person → inbox live → claim, type, reply → visitor answers → return to AI → resolve', async () => {
      const agentCtx = await browser.newContext({ viewport: DESKTOP })
      const agent = await agentCtx.newPage()
      await signIn(agent, s)
      await agent.goto(`${s.url}/admin/conversations`)
      const list = agent.getByRole('region', { name: 'Conversation list' })
      await agent.getByRole('tab', { name: /Unassigned/ }).click()
      await list.getByText('Nobody is waiting for a person').waitFor()

      const visitorCtx = await browser.newContext({ viewport: DESKTOP })
      const visitor = await visitorCtx.newPage()
      await visitor.goto(host.origin)
      await openPanel(visitor)
      const announcement = await ask(visitor, 'Can I talk to a human please?')
      expect(announcement.length).toBeGreaterThan(10)
      await visitor.locator('aurion-widget .aw-wait').getByText('Waiting for a person').waitFor()

      // The inbox shows it without a reload.
      const item = list.getByRole('link', { name: /Can I talk to a human please\?/ })
      await item.waitFor({ timeout: 15_000 })
      await item.click()
      const transcript = agent.getByRole('list', { name: 'Messages' })
      await transcript.getByText('Can I talk to a human please?').waitFor()
      await agent.getByRole('button', { name: 'Claim' }).click()
      await visitor.locator('aurion-widget .aw-event[data-kind="joined"]').waitFor()

      // The agent types: the visitor sees the typing dots, then the reply.
      const box = agent.getByLabel('Reply to the visitor')
      await box.pressSequentially('Hi, this is Ada from the support team.', { delay: 5 })
      await visitor.locator('aurion-widget .aw-typing').waitFor()
      await box.press('Enter')
      await poll(() => agentRows(visitor).count()).toBe(1)
      await poll(() => agentRows(visitor).first().innerText()).toContain(
        'Hi, this is Ada from the support team.',
      )
      await shot(agent, 'handoff-inbox')
      await screenshot(visitor, 'widget/handoff-person-reply')

      // The visitor answers: the agent sees it live; the assistant stays silent.
      const repliesBefore = await replies(visitor).count()
      await composer(visitor).fill('Thanks Ada, my order 1042 is late.')
      await composer(visitor).press('Enter')
      await transcript.getByText('Thanks Ada, my order 1042 is late.').waitFor()
      const stored = await storedMessages(s.server.db, s.tenant.tenantId)
      const answered = stored.findIndex((m) => m.body === 'Thanks Ada, my order 1042 is late.')
      expect(answered).toBeGreaterThan(0)

      // Back to the assistant: it answers again.
      await agent.getByRole('button', { name: 'Return to AI' }).click()
      await visitor.locator('aurion-widget .aw-event[data-kind="ai"]').waitFor()
      const again = await ask(visitor, 'How do I reset my password?')
      expect(again.length).toBeGreaterThan(0)
      expect(await replies(visitor).count()).toBe(repliesBefore + 1)
      // Nothing from the assistant between the visitor's answer to Ada and the question after.
      const after = await storedMessages(s.server.db, s.tenant.tenantId)
      const asked = after.findIndex((m) => m.body === 'How do I reset my password?')
      expect(after.slice(answered + 1, asked).map((m) => m.sender_type)).toEqual([])
      expect(after[asked + 1]?.sender_type).toBe('ai')

      // Resolved: the widget says so.
      await agent.getByRole('button', { name: 'Resolve' }).click()
      await visitor.locator('aurion-widget .aw-event[data-kind="resolved"]').waitFor()
      await screenshot(visitor, 'widget/handoff-resolved')
      await shot(agent, 'handoff-inbox-resolved')

      await visitorCtx.close()
      await agentCtx.close()
    })

    it('the inbox on a phone and in a dark colour scheme: list and an open conversation, nothing overflowing', async () => {
      // A waiting conversation with a long unbroken link, the usual cause of overflow.
      const res = await fetch(`${s.url}/api/v1/widget/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: host.origin },
        body: JSON.stringify({
          tenant_id: s.tenant.tenantId,
          public_key: s.tenant.publicKey,
          body: 'I need a person: my parcel https://shop.example/orders/1042/tracking/ZX81-2049-AAF3-9C1D-77B0-4E62-longtrackingcode is stuck',
        }),
      })
      expect(res.status).toBe(200)
      const views = [
        { name: 'phone', options: { viewport: PHONE, isMobile: true, hasTouch: true } },
        { name: 'dark', options: { viewport: DESKTOP, colorScheme: 'dark' as const } },
      ]
      for (const view of views) {
        const ctx = await browser.newContext(view.options)
        const page = await ctx.newPage()
        await signIn(page, s)
        await page.goto(`${s.url}/admin/conversations`)
        const all = page.getByRole('tab', { name: /All/ })
        await all.waitFor()
        // The inbox starts on the first screen (no scrolling past the console's navigation).
        const { y } = (await all.boundingBox())!
        expect(y).toBeLessThan(view.options.viewport.height * 0.75)
        await all.click()
        const list = page.getByRole('region', { name: 'Conversation list' })
        const item = list.getByRole('link', { name: /my parcel/ })
        await item.waitFor()
        await shot(page, `inbox-${view.name}-list`)
        const overflow = () =>
          page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
        expect(await overflow()).toBeLessThanOrEqual(0)
        await item.click()
        const transcript = page.getByRole('list', { name: 'Messages' })
        await transcript.getByText(/my parcel/).waitFor()
        await page.getByLabel('Reply to the visitor').waitFor()
        await shot(page, `inbox-${view.name}-conversation`)
        expect(await overflow()).toBeLessThanOrEqual(0)
        await ctx.close()
      }
    })
  },
)
