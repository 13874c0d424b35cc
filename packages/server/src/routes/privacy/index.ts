import {
  PrivacyEraseRequest,
  PrivacyEraseResponse,
  PrivacyExportQuery,
  PrivacyExportResponse,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { auditHash, recordAdminAction } from '../../audit/audit.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import { ADMIN_BODY_ERROR_RESPONSES, ADMIN_SECURITY } from '../../auth/admin-route-schema.ts'
import { invalidField } from '../../errors.ts'
import { eraseVisitor } from '../../privacy/erasure.ts'
import { exportVisitor } from '../../privacy/export.ts'
import { retentionRoutes } from './retention.ts'

const TAGS = ['Privacy and audit']

/** An address has one `@` with something on both sides (no pattern matching on input). */
function checkEmail(raw: string, loc: (string | number)[]): string {
  const email = raw.trim().toLowerCase()
  const at = email.indexOf('@')
  if (at <= 0 || at !== email.lastIndexOf('@') || at === email.length - 1) {
    throw invalidField(loc, 'Not an email address')
  }
  return email
}

/**
 * Visitor data under the `privacy` scope: `POST /api/v1/privacy/erase` (`privacy:write`)
 * removes everything stored about an email, `GET /api/v1/privacy/export` (`privacy:read`)
 * returns it as JSON. Both are recorded in the audit log with a hash of the email.
 */
export async function privacyRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = adminAuth(ctx, 'privacy')

  r.post(
    '/api/v1/privacy/erase',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: "Erase a visitor's data",
        description:
          'Deletes everything stored about the email: its contacts, conversations (messages, attachments) and pending email codes; its email tokens stop working. The deleted bytes are wiped from the database files. Answers the counts removed. The audit log keeps a hash of the email, not the address. Needs `privacy:write`.',
        security: ADMIN_SECURITY,
        body: PrivacyEraseRequest,
        response: { 200: PrivacyEraseResponse, ...ADMIN_BODY_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const email = checkEmail(request.body.email, ['body', 'email'])
      const result = await eraseVisitor(ctx, request.admin!.tenantId, email)
      await recordAdminAction(ctx.db, request, {
        action: 'privacy.erased',
        details: {
          email_hash: auditHash(ctx.config.secret, email),
          contacts: result.contacts,
          conversations: result.conversations,
          messages: result.messages,
          uploads: result.uploads,
        },
      })
      return result
    },
  )

  r.get(
    '/api/v1/privacy/export',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: "Export a visitor's data",
        description:
          'Everything stored about the email as JSON: contacts, conversations with every message, attachment metadata with download links (`GET /api/v1/uploads/{id}`, needs `conversations:read`), feedback. Needs `privacy:read`.',
        security: ADMIN_SECURITY,
        querystring: PrivacyExportQuery,
        response: { 200: PrivacyExportResponse, ...ADMIN_BODY_ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const email = checkEmail(request.query.email, ['query', 'email'])
      const tenantId = request.admin!.tenantId
      const data = await exportVisitor(
        ctx.db,
        tenantId,
        email,
        (id) => `${ctx.config.publicUrl}/api/v1/uploads/${encodeURIComponent(id)}`,
      )
      await recordAdminAction(ctx.db, request, {
        action: 'privacy.exported',
        details: { email_hash: auditHash(ctx.config.secret, email) },
      })
      reply.header('Cache-Control', 'no-store')
      return data
    },
  )

  await retentionRoutes(app, ctx)
}
