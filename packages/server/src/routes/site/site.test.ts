import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/helpers.ts'
import { siteRoutes } from './index.ts'

describe('the front door and the guides', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp()
  })
  afterAll(async () => t.close())

  it('GET / sends people to the console instead of {"detail":"Not Found"}', async () => {
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await t.app.inject({ method, url: '/' })
      expect(res.statusCode).toBe(302)
      expect(res.headers.location).toBe('/admin')
    }
  })

  it('GET /docs/voice is the voice guide (docs/voice.md), as a page without scripts', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/voice' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain("default-src 'none'")
    expect(csp).not.toMatch(/script-src|unsafe/)
    expect(res.body).toContain('<title>Voice · Aurion</title>')
    for (const words of ['LiveKit Cloud', 'livekit-server', 'npm run voice-agent', 'LIVEKIT_URL'])
      expect(res.body).toContain(words)
    expect(res.body).not.toMatch(/<script/i)
  })

  it('leaves the API reference where it was', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/docs/json' })).json().openapi).toBe('3.1.0')
    expect((await t.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400)
  })

  it('serves nothing but docs/<name>.md: unknown names, paths and dots are 404 {"detail"}', async () => {
    for (const url of [
      '/docs/nope',
      '/docs/..%2Fpackage',
      '/docs/%2E%2E%2FREADME',
      '/docs/voice.md',
      '/docs/Voice',
      '/docs/adr%2F0001',
      `/docs/${'a'.repeat(60)}`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(404)
      expect(res.json()).toEqual({ detail: 'Not Found' })
    }
  })
})

describe('a guide page', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aurion-guides-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('links guides to each other by page, keeps other links, escapes the title', async () => {
    writeFileSync(
      join(dir, 'setup.md'),
      '# Set <up> & go\n\nSee [voice](voice.md#livekit), [ops](./operations.md) and [LiveKit](https://livekit.io).\n',
    )
    const app = Fastify()
    await app.register(siteRoutes, { docsDir: dir })
    const res = await app.inject({ method: 'GET', url: '/docs/setup' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<title>Set &lt;up&gt; &amp; go · Aurion</title>')
    expect(res.body).toContain('<a href="voice#livekit">voice</a>')
    expect(res.body).toContain('<a href="operations">ops</a>')
    expect(res.body).toContain('<a href="https://livekit.io">LiveKit</a>')
    // Nonce'd style, a fresh nonce each time.
    const nonce = /'nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))?.[1]
    expect(res.body).toContain(`<style nonce="${nonce}">`)
    const again = await app.inject({ method: 'GET', url: '/docs/setup' })
    expect(again.headers['content-security-policy']).not.toBe(
      res.headers['content-security-policy'],
    )
    await app.close()
  })
})
