import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Db } from '@aurion/server/test-support'
import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'

/**
 * `expect.poll` with a timeout that suits a browser talking to a server on a busy machine (the
 * default is 1 s). Every wait in these tests is a poll on an observable state, never a sleep.
 */
export const poll = <T>(fn: () => T | Promise<T>, opts: { timeout?: number } = {}) =>
  expect.poll(fn, { timeout: 10_000, ...opts })

/** Playwright's CSS locators pierce the widget's open shadow root. */
export const launcher = (page: Page): Locator => page.locator('aurion-widget .aw-launcher')
export const panel = (page: Page): Locator => page.locator('aurion-widget .aw-panel')
export const composer = (page: Page): Locator => page.locator('aurion-widget .aw-compose textarea')
/** Assistant replies (the welcome text is not one: it has no state). */
export const replies = (page: Page): Locator =>
  page.locator('aurion-widget .aw-row[data-role="assistant"][data-state]')
export const visitorRows = (page: Page): Locator =>
  page.locator('aurion-widget .aw-row[data-role="visitor"]')

/** Waits until the widget's entrance animations (launcher pop, panel open) have finished. */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const root = document.querySelector('aurion-widget')?.shadowRoot
    await Promise.all(
      (root?.getAnimations() ?? [])
        .filter((a) => a.effect?.getTiming().iterations !== Number.POSITIVE_INFINITY)
        .map((a) => a.finished.catch(() => {})),
    )
  })
}

/** Clicks the launcher and waits for the panel. */
export async function openPanel(page: Page): Promise<void> {
  await launcher(page).click()
  await panel(page).waitFor()
  await settled(page)
}

/** Types a message, sends it with Enter and waits for the complete reply to it. */
export async function ask(page: Page, text: string): Promise<string> {
  const before = await replies(page).count()
  await composer(page).fill(text)
  await composer(page).press('Enter')
  const reply = replies(page).nth(before)
  await poll(() => reply.getAttribute('data-state'), { timeout: 15_000 }).toBe('done')
  return (await reply.locator('.aw-bub').innerText()).trim()
}

/** Messages the server stored for a tenant, oldest first. */
export function storedMessages(db: Db, tenantId: string) {
  return db
    .selectFrom('messages')
    .select([
      'id',
      'conversation_id',
      'thread_id',
      'sender_type',
      'body',
      'channel',
      'source_message_id',
    ])
    .where('tenant_id', '=', tenantId)
    .orderBy('seq')
    .execute()
}

/** A valid 1×1 PNG (the server checks magic numbers). */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
)

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)

/** axe-core on the open panel: the serious and critical violations (ids and targets). */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource })
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe
    const result = await axe.run(
      { include: [['aurion-widget']] } as unknown as import('axe-core').ElementContext,
      { resultTypes: ['violations'] },
    )
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')} — ${v.help}`,
      )
  })
}
