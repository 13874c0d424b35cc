import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/helpers.ts'
import { ensureDemoTenant } from '../../demo/demo-tenant.ts'
import { ApiError } from '../../errors.ts'
import { WidgetAssets } from './assets.ts'
import { widgetAssetsRoutes } from './index.ts'

const LOADER = '(function(){console.log("loader v1")})()'
const CHAT = 'export function mount(){return "chat"}'

/** A fake build: the manifest and files the real build writes, small enough to read. */
function fakeDist(files: Record<string, string>, chat = 'chat-AbCd1234.js'): string {
  const dir = mkdtempSync(join(tmpdir(), 'aurion-widget-dist-'))
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body)
  writeFileSync(
    join(dir, 'widget-manifest.json'),
    JSON.stringify({
      loader: 'aurion.js',
      chat,
      voice: 'voice-EfGh5678.js',
      speech: 'speech-IjKl9012.js',
      files: Object.keys(files).sort(),
    }),
  )
  return dir
}

/** The plugin alone, on a given dist dir, with the root error handler's mapping. */
async function assetsApp(dir: string, t: TestApp): Promise<FastifyInstance> {
  const app = Fastify()
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof ApiError)
      return reply.status(err.status).headers(err.headers).send(err.toBody())
    return reply.status(500).send({ detail: 'Internal Server Error' })
  })
  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ detail: 'Not Found' }))
  const ctx = {
    config: t.config,
    database: t.database,
    db: t.db,
    widgetDistDir: dir,
  } as unknown as Parameters<typeof widgetAssetsRoutes>[1]
  await app.register(widgetAssetsRoutes, ctx)
  await app.ready()
  return app
}

describe('widget assets', () => {
  let t: TestApp
  let dir: string
  let app: FastifyInstance
  const dirs: string[] = []

  beforeAll(async () => {
    t = await buildTestApp()
    dir = fakeDist({
      'aurion.js': LOADER,
      'chat-AbCd1234.js': CHAT,
      'voice-EfGh5678.js': 'export const v = 1',
      'speech-IjKl9012.js': 'export const s = 1',
    })
    dirs.push(dir)
    app = await assetsApp(dir, t)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  it('serves the loader as JavaScript with an ETag and a short cache', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/voice-widget/embed/aurion.js' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(res.headers['cache-control']).toBe('public, max-age=300')
    expect(res.headers.etag).toMatch(/^"[\w-]{27}"$/)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['access-control-allow-origin']).toBe('*')
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin')
    expect(res.headers.vary).toBe('Accept-Encoding')
    expect(res.body).toBe(LOADER)

    const again = await app.inject({
      method: 'GET',
      url: '/api/v1/voice-widget/embed/aurion.js',
      headers: { 'if-none-match': res.headers.etag as string },
    })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
    const stale = await app.inject({
      method: 'GET',
      url: '/api/v1/voice-widget/embed/aurion.js',
      headers: { 'if-none-match': '"something-else"' },
    })
    expect(stale.statusCode).toBe(200)
  })

  it('compresses: brotli when accepted, else gzip, else identity', async () => {
    const get = (enc: string) =>
      app.inject({
        method: 'GET',
        url: '/api/v1/voice-widget/embed/chat-AbCd1234.js',
        headers: { 'accept-encoding': enc },
      })
    const br = await get('gzip, deflate, br')
    expect(br.headers['content-encoding']).toBe('br')
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(CHAT)
    const gz = await get('gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.rawPayload).toString()).toBe(CHAT)
    const plain = await get('identity')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body).toBe(CHAT)
  })

  it('serves content-hashed chunks with immutable caching', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/voice-widget/embed/chat-AbCd1234.js',
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(res.headers['access-control-allow-origin']).toBe('*')
  })

  it.each([
    'chat-Zzzz9999.js',
    'widget-manifest.json',
    '.build-stamp',
    'chat.js',
    '..%2F..%2Fpackage.json',
    '%2e%2e%2fsecret.key',
    'chat-AbCd1234.js.map',
    'CHAT-AbCd1234.js',
  ])('404s anything else: %s', async (file) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/voice-widget/embed/${file}` })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ detail: 'Not Found' })
  })

  it('picks up a rebuild and keeps the previous chunks (browsers may still run the old loader)', async () => {
    const live = fakeDist({ 'aurion.js': LOADER, 'chat-AbCd1234.js': CHAT })
    dirs.push(live)
    const store = new WidgetAssets(live, 0)
    expect(store.get(true)?.manifest.chat).toBe('chat-AbCd1234.js')
    // `npm run build` again: new loader, new chunk names, old files gone from disk.
    rmSync(join(live, 'chat-AbCd1234.js'))
    writeFileSync(join(live, 'aurion.js'), 'new loader')
    writeFileSync(join(live, 'chat-NeWw5678.js'), CHAT)
    writeFileSync(
      join(live, 'widget-manifest.json'),
      JSON.stringify({
        loader: 'aurion.js',
        chat: 'chat-NeWw5678.js',
        voice: '',
        speech: '',
        files: ['aurion.js', 'chat-NeWw5678.js'],
      }),
    )
    const later = new Date(Date.now() + 10_000)
    utimesSync(join(live, 'widget-manifest.json'), later, later)
    expect(store.get(false)?.manifest.chat).toBe('chat-AbCd1234.js')
    const b = store.get(true)!
    expect(b.manifest.chat).toBe('chat-NeWw5678.js')
    expect(b.files.get('aurion.js')?.body.toString()).toBe('new loader')
    expect(b.files.has('chat-NeWw5678.js')).toBe(true)
    expect(b.files.get('chat-AbCd1234.js')?.body.toString()).toBe(CHAT)
  })

  it('answers 503 with a clear detail when the widget is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'aurion-widget-none-'))
    dirs.push(empty)
    const bare = await assetsApp(empty, t)
    const res = await bare.inject({ method: 'GET', url: '/api/v1/voice-widget/embed/aurion.js' })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({ detail: 'The widget is not built; run "npm run build"' })
    expect(res.headers['retry-after']).toBe('5')
    await bare.close()
  })
})

describe('demo page', () => {
  it('404s with a hint when there is no demo tenant', async () => {
    const t = await buildTestApp()
    const res = await t.app.inject({ method: 'GET', url: '/demo' })
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.body).toContain('npm start')
    await t.close()
  })

  it('embeds the demo tenant’s snippet with a nonce-based CSP', async () => {
    const publicUrl = 'http://localhost:8080'
    const t = await buildTestApp({ env: { AURION_PUBLIC_URL: publicUrl } })
    const demo = (await ensureDemoTenant(t.db, t.config, 8080))!
    const res = await t.app.inject({ method: 'GET', url: '/demo' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-store')
    const csp = String(res.headers['content-security-policy'])
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1]
    expect(nonce).toBeTruthy()
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}' ${publicUrl}`)
    expect(csp).toContain(`connect-src 'self' ${publicUrl} ws://localhost:8080`)
    expect(csp).toContain("frame-ancestors 'none'")
    // No inline styles but the page's own stylesheet (the widget needs none).
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`)
    expect(csp).not.toContain('unsafe')
    expect(res.body).toContain(`<style nonce="${nonce}">`)
    // The snippet runs (nonce) and is shown (escaped), with this tenant's values.
    expect(res.body).toContain(
      `<script nonce="${nonce}">\n  (function () {\n    window.AurionSettings = {`,
    )
    expect(res.body).toContain(`appId: '${demo.tenantId}'`)
    expect(res.body).toContain(`publicKey: '${demo.publicKey}'`)
    expect(res.body).toContain(`s.src = '${publicUrl}/api/v1/voice-widget/embed/aurion.js'`)
    expect(res.body).toContain('&lt;script&gt;')
    // One coherent product: an IT help portal whose widget answers from IT help-desk articles.
    expect(res.body).toContain('Northwind IT Help Desk')
    expect(res.body).not.toMatch(/Northwind Cloud|Pricing/)
    const config = await t.app.inject({
      method: 'POST',
      url: '/api/v1/voice-widget/embed/config',
      headers: { origin: publicUrl },
      payload: { tenant_id: demo.tenantId, public_key: demo.publicKey },
    })
    expect(config.json().display_title).toBe('IT Help Desk')
    expect(
      res.body.match(/<script(?: [^>]*)?>/g)?.every((tag) => tag.includes(`nonce="${nonce}"`)),
    ).toBe(true)
    // A fresh nonce every time.
    const again = await t.app.inject({ method: 'GET', url: '/demo' })
    expect(again.headers['content-security-policy']).not.toBe(csp)
    await t.close()
  })
})
