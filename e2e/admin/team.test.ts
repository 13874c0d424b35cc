import { existsSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SmtpReceiver } from '../../packages/server/test/smtp-receiver.ts'
import { inviteLinkFromMail } from '../../packages/server/test/team-support.ts'
import { CHROMIUM_PATH, launchBrowser } from '../support/browser.ts'
import { startServer } from '../support/server.ts'
import { type ConsoleServer, ensureConsoleBuilt, shot, signIn, useConsole } from './harness.ts'

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
const AGENT_PASSWORD = 'agent chooses a long password'

const navLinks = async (page: Page) =>
  (await page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents()).map(
    (t) => t.trim(),
  )

/** Owner invites an agent from the Team page; the agent follows the mailed link. */
describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'console team in Chromium',
  { timeout: 180_000 },
  () => {
    let s: ConsoleServer
    let smtp: SmtpReceiver
    let browser: Browser

    let smtpUrl = ''
    useConsole((c) => ({ s, browser } = c), {
      before: async () => {
        smtp = new SmtpReceiver()
        smtpUrl = await smtp.start()
      },
      env: () => ({ AURION_SMTP_URL: smtpUrl, AURION_MAIL_FROM: 'Aurion <console@acme.test>' }),
      after: () => smtp.stop(),
    })

    it('invite → mailed link → set password → the agent sees only the inbox and knowledge', async () => {
      const ownerCtx = await browser.newContext({ viewport: DESKTOP })
      const owner = await ownerCtx.newPage()
      await signIn(owner, s)
      expect(await navLinks(owner)).toEqual([
        'Insights',
        'Voice Widget',
        'API keys',
        'Integrations',
        'Team',
        'Privacy',
        'Knowledge',
        'Help Center',
        'Conversations',
        'Sign-in & security',
      ])
      await owner
        .getByRole('navigation', { name: 'Console' })
        .getByRole('link', { name: 'Team' })
        .click()
      await owner.getByRole('heading', { name: 'Team', level: 1 }).waitFor()
      // The owner's own tab beats: they are online.
      await owner.locator('tr[data-member-email="ada@acme.test"]').getByText('Online').waitFor()

      await owner.getByRole('button', { name: 'Invite teammate' }).click()
      const dialog = owner.getByRole('dialog', { name: 'Invite a teammate' })
      await dialog.getByLabel('Email').fill('sam@acme.test')
      await dialog.getByLabel('Name').fill('Sam Lee')
      await dialog.getByRole('radio', { name: /Agent/ }).check()
      await dialog.getByRole('button', { name: 'Send invitation' }).click()
      await owner.getByRole('dialog', { name: 'Invitation sent' }).waitFor()
      expect(await owner.getByTestId('invite-url').count()).toBe(0)
      await owner.getByRole('button', { name: 'Done' }).click()
      await owner.locator('tr[data-invite-email="sam@acme.test"]').waitFor()

      const mail = await smtp.next()
      expect(mail.to).toEqual(['sam@acme.test'])
      const link = inviteLinkFromMail(mail)
      expect(link.startsWith(`${s.url}/admin/invite/ainv_`)).toBe(true)

      const agentCtx = await browser.newContext({ viewport: DESKTOP })
      const agent = await agentCtx.newPage()
      await agent.goto(link)
      await agent.getByRole('heading', { name: 'Join Acme Support' }).waitFor()
      expect(await agent.getByLabel('Email').inputValue()).toBe('sam@acme.test')
      expect(await agent.getByLabel('Your name').inputValue()).toBe('Sam Lee')
      await shot(agent, 'team-invite-accept-desktop-light')
      await agent.getByLabel('Choose a password').fill(AGENT_PASSWORD)
      await agent.getByLabel('Repeat the password').fill(AGENT_PASSWORD)
      await agent.getByRole('button', { name: 'Join and sign in' }).click()
      await agent.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor()
      expect(new URL(agent.url()).pathname).toBe('/admin/conversations')
      expect(await navLinks(agent)).toEqual(['Knowledge', 'Conversations', 'Sign-in & security'])
      await agent.getByRole('switch', { name: /Online/ }).waitFor()
      await shot(agent, 'team-agent-inbox-desktop-light')

      // Pages the role cannot open send the agent back to the inbox; the server refuses anyway.
      for (const path of ['/admin/api-keys', '/admin/widget', '/admin/team']) {
        await agent.goto(`${s.url}${path}`)
        await agent.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor()
        expect(new URL(agent.url()).pathname).toBe('/admin/conversations')
      }
      const status = await agent.evaluate(
        async () => (await fetch('/api/v1/api-keys', { credentials: 'same-origin' })).status,
      )
      expect(status).toBe(403)
      await agent.getByRole('link', { name: 'Knowledge' }).click()
      await agent.getByRole('heading', { name: 'Knowledge', level: 1 }).waitFor()

      // The link is spent.
      const again = await browser.newContext({ viewport: DESKTOP })
      const replay = await again.newPage()
      await replay.goto(link)
      await replay.getByText('Invalid or expired invitation link').waitFor()
      await again.close()

      // The owner sees the new agent online, and away once they set it.
      await owner.reload()
      const row = owner.locator('tr[data-member-email="sam@acme.test"]')
      await row.getByText('Online').waitFor()
      expect(await row.getByRole('combobox').inputValue()).toBe('agent')
      await shot(owner, 'team-page-desktop-light', true)
      await agent.getByRole('switch', { name: /Online/ }).click()
      await agent.getByRole('switch', { name: /Away/ }).waitFor()
      await owner.reload()
      await row.getByText('Away', { exact: true }).waitFor()

      // Closing the agent's only tab makes them away without waiting for the heartbeat to age.
      await agent.getByRole('switch', { name: /Away/ }).click()
      await agent.getByRole('switch', { name: /Online/ }).waitFor()
      await owner.reload()
      await row.getByText('Online').waitFor()
      await agent.close({ runBeforeUnload: true })
      await expect
        .poll(
          async () => {
            await owner.reload()
            return row.getByText('Online').count()
          },
          { timeout: 15_000 },
        )
        .toBe(0)
      await ownerCtx.close()
      await agentCtx.close()
    })

    it.each([
      ['desktop', DESKTOP, 'light'],
      ['desktop', DESKTOP, 'dark'],
      ['phone', PHONE, 'light'],
      ['phone', PHONE, 'dark'],
    ] as const)('screenshots: %s %s', async (device, viewport, scheme) => {
      const ctx = await browser.newContext({ viewport, colorScheme: scheme })
      const page = await ctx.newPage()
      await signIn(page, s)
      await page.goto(`${s.url}/admin/team`)
      await page.getByRole('heading', { name: 'Team', level: 1 }).waitFor()
      await page
        .locator('tr[data-member-email="ada@acme.test"] .avatar-online')
        .waitFor({ state: 'attached' })
      await shot(page, `team-page-${device}-${scheme}`, true)
      await page.getByRole('button', { name: 'Invite teammate' }).click()
      await page.getByRole('dialog', { name: 'Invite a teammate' }).waitFor()
      await shot(page, `team-invite-dialog-${device}-${scheme}`)
      await ctx.close()
    })
  },
)

/** Without mail the link is shown once in the console. */
describe.skipIf(!existsSync(CHROMIUM_PATH))(
  'console team without mail',
  { timeout: 120_000 },
  () => {
    let s: ConsoleServer
    let browser: Browser

    beforeAll(async () => {
      ensureConsoleBuilt()
      const server = await startServer()
      const tenant = await server.createTenant({ allowed_origins: [] }, 'Acme Support', {
        consoleUser: true,
      })
      const { email, password } = tenant.consoleUser!
      s = { server, url: server.url, tenant, email, password, close: () => server.close() }
      browser = await launchBrowser()
    }, 300_000)
    afterAll(async () => {
      await browser?.close()
      await s?.close()
    })

    it('shows the set-password link once, and it works', async () => {
      const ctx = await browser.newContext({ viewport: DESKTOP })
      const page = await ctx.newPage()
      await signIn(page, s)
      await page.goto(`${s.url}/admin/team`)
      await page.getByRole('button', { name: 'Invite teammate' }).click()
      const dialog = page.getByRole('dialog', { name: 'Invite a teammate' })
      await dialog.getByLabel('Email').fill('lee@acme.test')
      await dialog.getByRole('radio', { name: /Admin/ }).check()
      await dialog.getByRole('button', { name: 'Send invitation' }).click()
      await page.getByRole('dialog', { name: 'Share the invitation link' }).waitFor()
      const link = (await page.getByTestId('invite-url').textContent())!.trim()
      expect(link).toMatch(/\/admin\/invite\/ainv_[0-9A-Za-z]{43}$/)
      await shot(page, 'team-invite-link-desktop-light')
      await page.getByRole('button', { name: 'Done' }).click()
      await page.reload()
      await page.locator('tr[data-invite-email="lee@acme.test"]').waitFor()
      expect(await page.content()).not.toContain(link)

      const other = await browser.newContext({ viewport: PHONE })
      const admin = await other.newPage()
      await admin.goto(link)
      await admin.getByRole('heading', { name: 'Join Acme Support' }).waitFor()
      await shot(admin, 'team-invite-accept-phone-light')
      await admin.getByLabel('Choose a password').fill('admin chooses a password')
      await admin.getByLabel('Repeat the password').fill('admin chooses a password')
      await admin.getByRole('button', { name: 'Join and sign in' }).click()
      await admin.getByRole('heading', { name: 'Insights', level: 1 }).waitFor()
      await other.close()
      await ctx.close()
    })
  },
)
