import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { notFound, serviceUnavailable } from '../../errors.ts'
import { LOADER_FILE, type WidgetAsset, WidgetAssets } from './assets.ts'
import { demoPageRoute } from './demo-page.ts'

const EMBED = '/api/v1/voice-widget/embed'
/** Chunk names as the build writes them: `chat-<8+ char hash>.js`. */
const CHUNK = /^[a-z][a-z0-9-]*-[A-Za-z0-9_-]{8,}\.js$/

/** How long browsers may use the loader before revalidating (its ETag makes that cheap). */
export const LOADER_MAX_AGE = 300

/**
 * The embeddable widget: the loader `GET /api/v1/voice-widget/embed/aurion.js` (short cache,
 * ETag) and its content-hashed chunks beside it (cached for a year, immutable), plus the demo
 * page `GET /demo` that embeds the widget exactly as a customer would.
 */
export async function widgetAssetsRoutes(
  app: FastifyInstance,
  ctx: RouteContext & { widgetDistDir?: string },
): Promise<void> {
  const assets = new WidgetAssets(ctx.widgetDistDir)

  const send = async (
    request: FastifyRequest,
    reply: FastifyReply,
    asset: WidgetAsset,
    loader: boolean,
  ) => {
    reply
      .header('Content-Type', 'text/javascript; charset=utf-8')
      .header('ETag', asset.etag)
      .header(
        'Cache-Control',
        loader ? `public, max-age=${LOADER_MAX_AGE}` : 'public, max-age=31536000, immutable',
      )
      .header('Vary', 'Accept-Encoding')
      .header('X-Content-Type-Options', 'nosniff')
      // Chunks load with import() from the customer's page: a CORS request. They are public
      // and carry no credentials, so any origin may read them.
      .header('Access-Control-Allow-Origin', '*')
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .header('Timing-Allow-Origin', '*')
    const inm = request.headers['if-none-match']
    if (inm?.split(',').some((t) => t.trim() === asset.etag || t.trim() === '*')) {
      return reply.status(304).send()
    }
    const accept = String(request.headers['accept-encoding'] ?? '')
    if (/\bbr\b/.test(accept)) return reply.header('Content-Encoding', 'br').send(await asset.br())
    if (/\bgzip\b/.test(accept)) return reply.header('Content-Encoding', 'gzip').send(asset.gzip)
    return reply.send(asset.body)
  }

  const bundle = (recheck: boolean) => {
    const b = assets.get(recheck)
    if (!b) throw serviceUnavailable('The widget is not built; run "npm run build"')
    return b
  }

  app.get(
    `${EMBED}/${LOADER_FILE}`,
    {
      schema: {
        tags: ['embed'],
        summary: 'The widget loader script (paste the embed snippet to use it)',
        description:
          'JavaScript. Cached for 5 minutes with an ETag, so a new release reaches every site within minutes; the chunks it loads are content-hashed and immutable.',
      },
    },
    async (request, reply) => send(request, reply, bundle(true).files.get(LOADER_FILE)!, true),
  )

  app.get<{ Params: { file: string } }>(
    `${EMBED}/:file`,
    { schema: { hide: true } },
    async (request, reply) => {
      const { file } = request.params
      const asset = CHUNK.test(file) ? bundle(false).files.get(file) : undefined
      if (!asset) throw notFound()
      return send(request, reply, asset, false)
    },
  )

  await demoPageRoute(app, ctx)
}
