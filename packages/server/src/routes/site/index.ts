import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { notFound } from '../../errors.ts'
import { DOCS_DIR, guideCsp, renderGuide } from './guide-page.ts'

/**
 * The server's own front door: `GET /` sends people to the console (the demo page, the API
 * reference and the guides are linked from there), and `GET /docs/<name>` shows the operator
 * guide `docs/<name>.md` (e.g. `/docs/voice`), so the console can link to guides this server
 * really has. The OpenAPI reference stays at `/docs`.
 */
export async function siteRoutes(
  app: FastifyInstance,
  opts: { docsDir?: string } = {},
): Promise<void> {
  const hidden = { schema: { hide: true } }

  app.get('/', hidden, async (_request, reply) => reply.redirect('/admin', 302))

  app.get<{ Params: { guide: string } }>('/docs/:guide', hidden, async (request, reply) => {
    const nonce = randomBytes(16).toString('base64')
    const html = await renderGuide(request.params.guide, nonce, opts.docsDir ?? DOCS_DIR)
    if (html === undefined) throw notFound()
    return reply
      .header('Content-Type', 'text/html; charset=utf-8')
      .header('Content-Security-Policy', guideCsp(nonce))
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer')
      .header('Cache-Control', 'no-cache')
      .send(html)
  })
}
