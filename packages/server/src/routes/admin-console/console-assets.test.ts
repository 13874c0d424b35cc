import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiError } from '../../errors.ts'
import { CONSOLE_CSP, consoleAssetRoutes } from './console-assets.ts'

const INDEX = `<!doctype html><html><head><script type="module" src="/admin/assets/index-abc123.js"></script></head><body>${'<!-- pad -->'.repeat(60)}</body></html>`
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))})`

describe('admin console assets', () => {
  let dir: string
  let app: FastifyInstance

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aurion-console-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), INDEX)
    writeFileSync(join(dir, 'preview.html'), '<!doctype html><title>preview</title>')
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), SCRIPT)
    writeFileSync(join(dir, 'assets', 'inter-latin.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]))
    app = Fastify({ routerOptions: { ignoreTrailingSlash: true } })
    app.setErrorHandler((err, _req, reply) => {
      if (err instanceof ApiError) return reply.status(err.status).send(err.toBody())
      return reply.status(500).send({ detail: 'Internal Server Error' })
    })
    app.setNotFoundHandler((_req, reply) => reply.status(404).send({ detail: 'Not Found' }))
    await app.register(consoleAssetRoutes, { distDir: dir })
    await app.ready()
  })
  afterEach(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves the page at /admin and /admin/ with a strict CSP and no caching', async () => {
    for (const url of ['/admin', '/admin/']) {
      const res = await app.inject({ url })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(res.headers['cache-control']).toBe('no-cache')
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP)
      expect(res.headers['x-frame-options']).toBe('DENY')
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['referrer-policy']).toBe('no-referrer')
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
      expect(res.body).toBe(INDEX)
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'")
    expect(CONSOLE_CSP).not.toContain('unsafe-inline')
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'")
  })

  it('answers client-side routes with the page (deep links survive a reload)', async () => {
    for (const url of ['/admin/widget', '/admin/knowledge/kb_123', '/admin/conversations?x=1']) {
      const res = await app.inject({ url })
      expect(res.statusCode, url).toBe(200)
      expect(res.body).toBe(INDEX)
    }
  })

  it('serves hashed assets with immutable caching and the right type', async () => {
    const res = await app.inject({ url: '/admin/assets/index-abc123.js' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(res.headers['content-security-policy']).toBeUndefined()
    // The sandboxed preview frame (opaque origin) loads these as CORS module scripts.
    expect(res.headers['access-control-allow-origin']).toBe('*')
    expect(res.body).toBe(SCRIPT)
    const font = await app.inject({ url: '/admin/assets/inter-latin.woff2' })
    expect(font.headers['content-type']).toBe('font/woff2')
  })

  it('a missing file is 404, never the page (a stale chunk must not parse HTML as JS)', async () => {
    for (const url of ['/admin/assets/index-old999.js', '/admin/favicon.ico', '/admin/assets/x']) {
      const res = await app.inject({ url })
      expect(res.statusCode, url).toBe(404)
      expect(res.json()).toEqual({ detail: 'Not Found' })
    }
  })

  it('does not serve files outside the build (path traversal)', async () => {
    writeFileSync(join(dir, '..', 'secret-outside.txt'), 'secret')
    for (const url of [
      '/admin/../secret-outside.txt',
      '/admin/%2e%2e/secret-outside.txt',
      '/admin/assets/..%2f..%2fsecret-outside.txt',
      '/admin/..%5csecret-outside.txt',
    ]) {
      const res = await app.inject({ url })
      expect(res.body, url).not.toContain('secret')
    }
    rmSync(join(dir, '..', 'secret-outside.txt'))
  })

  it('compresses with brotli or gzip as the client accepts', async () => {
    const br = await app.inject({
      url: '/admin/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    })
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toBe('Accept-Encoding')
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(SCRIPT)
    const gz = await app.inject({
      url: '/admin/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip' },
    })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.rawPayload).toString()).toBe(SCRIPT)
  })

  it('revalidates with ETag: 304 when unchanged', async () => {
    const first = await app.inject({ url: '/admin' })
    const etag = first.headers.etag as string
    expect(etag).toMatch(/^"[\w-]+"$/)
    const again = await app.inject({ url: '/admin', headers: { 'if-none-match': etag } })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
  })

  it('picks up a rebuild without a restart', async () => {
    await app.inject({ url: '/admin' })
    writeFileSync(join(dir, 'index.html'), '<!doctype html><p>new build</p>')
    const later = new Date(Date.now() + 5000)
    utimesSync(join(dir, 'index.html'), later, later)
    expect((await app.inject({ url: '/admin' })).body).toBe('<!doctype html><p>new build</p>')
  })

  it('the preview page gets its own CSP: framable by the console only, widget scripts from here', async () => {
    const res = await app.inject({
      url: '/admin/preview.html',
      headers: { host: 'console.test:8080' },
    })
    expect(res.statusCode).toBe(200)
    const csp = res.headers['content-security-policy'] as string
    expect(csp).toContain("frame-ancestors 'self'")
    expect(csp).toContain("script-src 'self' http://console.test:8080")
    expect(csp).not.toMatch(/script-src[^;]*unsafe/)
    // The widget styles itself with constructed stylesheets: no inline styles allowed either.
    expect(csp).toContain("style-src 'self' http://console.test:8080;")
    expect(csp).not.toContain('unsafe')
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
  })

  it('a hostile Host header never lands in the preview CSP', async () => {
    const res = await app.inject({
      url: '/admin/preview.html',
      headers: { host: "evil.test; script-src 'unsafe-inline'" },
    })
    const csp = res.headers['content-security-policy'] as string
    expect(csp).not.toContain('evil')
    expect(csp).not.toMatch(/script-src[^;]*unsafe/)
  })

  it('503 with a clear message when the console is not built', async () => {
    rmSync(join(dir, 'index.html'))
    const res = await app.inject({ url: '/admin' })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({ detail: 'The admin console is not built; run "npm run build"' })
  })
})
