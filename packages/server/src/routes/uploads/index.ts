import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import { notFound } from '../../errors.ts'
import { sendUpload } from '../../uploads/serve-upload.ts'
import { findUpload } from '../../uploads/upload-repo.ts'

const Params = Type.Object({ upload_id: Type.String({ maxLength: 100 }) })

/**
 * `GET /api/v1/uploads/:upload_id`: an admin (API key with `conversations:read`, or a dashboard
 * session) downloads an attachment of their own tenant, served as inertly as for the widget.
 */
export async function adminUploadRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.get(
    '/api/v1/uploads/:upload_id',
    {
      onRequest: adminAuth(ctx, 'conversations'),
      schema: {
        tags: ['conversations'],
        summary: 'Download an attachment (scope conversations:read)',
        security: [{ ApiKey: [] }, { Session: [] }],
        params: Params,
      },
    },
    async (request, reply) => {
      const { upload_id } = request.params as { upload_id: string }
      const upload = await findUpload(ctx.db, request.admin!.tenantId, upload_id)
      if (upload === undefined) throw notFound('Upload not found')
      return sendUpload(reply, upload)
    },
  )
}
