import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { TokenVerifier } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeLiveKit, startFakeLiveKit } from '../../packages/server/test/fake-livekit.ts'
import { type RunningServer, startServer, type WidgetTenant } from '../support/server.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const run = promisify(execFile)
const LK_KEY = 'APImobileapp'
const LK_SECRET = 'lk-mobile-secret-0123456789abcdef0123456789abcdef'
const APP_ORIGIN = 'https://app.acme.example'

let fake: FakeLiveKit
let server: RunningServer
let tenant: WidgetTenant

beforeAll(async () => {
  fake = await startFakeLiveKit(LK_KEY, LK_SECRET)
  server = await startServer({
    env: { LIVEKIT_URL: fake.url, LIVEKIT_API_KEY: LK_KEY, LIVEKIT_API_SECRET: LK_SECRET },
  })
  tenant = await server.createTenant({ allowed_origins: [APP_ORIGIN] }, 'Acme App', {
    articles: true,
  })
}, 120_000)

afterAll(async () => {
  await server?.close()
  await fake?.close()
})

/** Runs docs/mobile.md's example exactly as a reader would. */
const example = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', join(root, 'examples', 'mobile-client.ts'), ...args], {
    cwd: root,
    timeout: 60_000,
  })

describe('the mobile example (docs/mobile.md)', { timeout: 90_000 }, () => {
  it('chats with the assistant over the WebSocket and gets a voice token for the same conversation', async () => {
    const { stdout } = await example([
      '--url',
      server.url,
      '--tenant',
      tenant.tenantId,
      '--key',
      tenant.publicKey,
      '--origin',
      APP_ORIGIN,
      '--email',
      'ada@acme.example',
      'How do I reset my password?',
    ])
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!)
    expect(out.conversation_id).toMatch(/\S/)
    expect(out.reply).toMatch(/password/i)
    // The voice token joins the conversation's room, for this tenant's visitor.
    expect(out.voice.conversation_id).toBe(out.conversation_id)
    const claims = await new TokenVerifier(LK_KEY, LK_SECRET).verify(out.voice.token)
    expect(claims.video?.room).toBe(out.voice.room_name)
    expect(JSON.parse(String(claims.metadata)).tenant_id).toBe(tenant.tenantId)

    // The turn is stored in the conversation the console shows.
    const res = await fetch(`${server.url}/api/v1/conversations/${out.conversation_id}`, {
      headers: { 'X-API-Key': tenant.apiKey },
    })
    expect(res.status).toBe(200)
  })

  it('an app origin the tenant did not allow is refused, with the reason', async () => {
    const err = await example([
      '--url',
      server.url,
      '--tenant',
      tenant.tenantId,
      '--key',
      tenant.publicKey,
      '--origin',
      'https://not-allowed.example',
      'Hello',
    ]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    )
    expect(err?.code).toBe(1)
    expect(err?.stderr).toMatch(/socket closed with 1008/)
  })
})
