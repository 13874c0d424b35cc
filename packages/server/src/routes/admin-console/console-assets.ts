import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { brotliCompress, gzip, constants as zlib } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { notFound, serviceUnavailable } from '../../errors.ts'

/** Where `npm run build` puts the console (packages/admin/dist). */
export const CONSOLE_DIST_DIR = fileURLToPath(new URL('../../../../admin/dist/', import.meta.url))

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt'])

/**
 * The console page: scripts, styles and fonts only from this server; API calls only to it; the
 * only frame it may embed is its own preview page; it may not be framed itself.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "worker-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * The live preview page. It runs in a sandbox without same-origin rights (it cannot read the
 * console's session token); it loads the widget loader and chunks from this server. No inline
 * styles: the widget styles its shadow root with constructed stylesheets.
 */
export function previewCsp(selfOrigin: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${selfOrigin}`,
    `style-src 'self' ${selfOrigin}`,
    `img-src 'self' ${selfOrigin} data: blob:`,
    `font-src 'self' ${selfOrigin} data:`,
    `connect-src 'self' ${selfOrigin}`,
    "media-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join('; ')
}

interface Asset {
  body: Buffer
  gzip?: Buffer
  br?: Buffer
  type: string
  etag: string
  immutable: boolean
}

interface Bundle {
  version: number
  files: Map<string, Asset>
}

function walk(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...walk(p))
    else if (entry.isFile()) out.push(p)
  }
  return out
}

const gzipAsync = promisify(gzip)
const brotliAsync = promisify(brotliCompress)

/**
 * Reads the whole build into memory, pre-compressed: it is small and served on every console
 * visit. Compression runs on libuv's thread pool: brotli at quality 11 would otherwise stall
 * every request of the process on the first console visit after a build.
 */
async function loadBundle(dir: string, version: number): Promise<Bundle> {
  const files = new Map<string, Asset>()
  for (const path of walk(dir)) {
    const rel = relative(dir, path).split(sep).join('/')
    const ext = extname(path).toLowerCase()
    const body = readFileSync(path)
    const asset: Asset = {
      body,
      type: TYPES[ext] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      immutable: rel.startsWith('assets/'),
    }
    if (COMPRESSIBLE.has(ext) && body.length > 512) {
      ;[asset.gzip, asset.br] = await Promise.all([
        gzipAsync(body, { level: 9 }),
        brotliAsync(body, {
          params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
        }),
      ])
    }
    files.set(rel, asset)
  }
  return { version, files }
}

/**
 * Serves the built admin console at `/admin` (single-page app: unknown non-file paths get the
 * page, client-side routing takes over). Hashed assets are cached forever; pages revalidate.
 */
export async function consoleAssetRoutes(
  app: FastifyInstance,
  opts: { distDir?: string } = {},
): Promise<void> {
  const dir = opts.distDir ?? CONSOLE_DIST_DIR
  let bundle: Bundle | undefined

  // A rebuild while the server runs is picked up: index.html's mtime is the bundle's version.
  // Requests arriving while a build is read share that one load.
  let loading: { version: number; promise: Promise<Bundle> } | undefined
  const current = async (): Promise<Bundle> => {
    const index = join(dir, 'index.html')
    if (!existsSync(index)) {
      bundle = undefined
      throw serviceUnavailable('The admin console is not built; run "npm run build"')
    }
    const version = statSync(index).mtimeMs
    if (bundle?.version === version) return bundle
    if (loading?.version !== version) {
      const promise = loadBundle(dir, version).then((b) => {
        bundle = b
        return b
      })
      promise
        .finally(() => {
          if (loading?.promise === promise) loading = undefined
        })
        .catch(() => {})
      loading = { version, promise }
    }
    return loading.promise
  }

  const send = (request: FastifyRequest, reply: FastifyReply, rel: string, asset: Asset) => {
    reply.header('Content-Type', asset.type)
    reply.header('ETag', asset.etag)
    reply.header('X-Content-Type-Options', 'nosniff')
    reply.header('Vary', 'Accept-Encoding')
    if (asset.immutable) {
      reply.header('Cache-Control', 'public, max-age=31536000, immutable')
      // The preview frame is sandboxed (opaque origin): its module scripts are CORS requests.
      // These files are public and carry no credentials.
      reply.header('Access-Control-Allow-Origin', '*')
    } else {
      reply.header('Cache-Control', 'no-cache')
    }
    if (asset.type.startsWith('text/html')) {
      reply.header('Referrer-Policy', 'no-referrer')
      reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()')
      if (rel === 'preview.html') {
        reply.header('Content-Security-Policy', previewCsp(selfOrigin(request)))
        reply.header('X-Frame-Options', 'SAMEORIGIN')
      } else {
        reply.header('Content-Security-Policy', CONSOLE_CSP)
        reply.header('X-Frame-Options', 'DENY')
        reply.header('Cross-Origin-Opener-Policy', 'same-origin')
      }
    }
    const inm = request.headers['if-none-match']
    if (inm?.split(',').some((t) => t.trim() === asset.etag)) {
      return reply.status(304).send()
    }
    const accept = String(request.headers['accept-encoding'] ?? '')
    if (asset.br && /\bbr\b/.test(accept)) {
      reply.header('Content-Encoding', 'br')
      return reply.send(asset.br)
    }
    if (asset.gzip && /\bgzip\b/.test(accept)) {
      reply.header('Content-Encoding', 'gzip')
      return reply.send(asset.gzip)
    }
    return reply.send(asset.body)
  }

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const b = await current()
    return send(request, reply, 'index.html', b.files.get('index.html')!)
  }

  app.get('/admin', { schema: { hide: true } }, page)
  app.get<{ Params: { '*': string } }>(
    '/admin/*',
    { schema: { hide: true } },
    async (request, reply) => {
      const rel = request.params['*']
      const b = await current()
      const asset = b.files.get(rel)
      if (asset) return send(request, reply, rel, asset)
      // Files (anything with an extension, and the assets folder) are never answered with the page:
      // a stale hashed chunk must fail loudly, not parse HTML as JavaScript.
      if (rel.startsWith('assets/') || /\.[a-z0-9]+$/i.test(rel)) throw notFound()
      return send(request, reply, 'index.html', b.files.get('index.html')!)
    },
  )
}

/** This server's origin as the browser reached it: what 'self' means in the preview's sandbox. */
function selfOrigin(request: FastifyRequest): string {
  const host = request.host
  // Only a plain host[:port] goes into the header: anything else falls back to 'self' alone.
  if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(host)) return "'self'"
  return `${request.protocol}://${host}`
}
