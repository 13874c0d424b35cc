import { ErrorResponse, PhoneConfigResponse, PhoneConfigUpdate } from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { recordAdminAction } from '../../audit/audit.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import {
  ADMIN_BODY_ERROR_RESPONSES,
  ADMIN_ERROR_RESPONSES,
  ADMIN_SECURITY,
} from '../../auth/admin-route-schema.ts'
import { getPhoneLine, updatePhoneLine } from '../../voice/phone-line-service.ts'

const PATH = '/api/v1/voice-widget/phone'
const TAGS = ['Voice widget configuration']

/**
 * The tenant's phone line: the same assistant answers calls to its numbers, through a LiveKit
 * inbound SIP trunk and dispatch rule the server keeps in step. `config` scope, like the rest of
 * `/api/v1/voice-widget`.
 */
export async function phoneRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = adminAuth(ctx, 'config')

  r.get(
    PATH,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Get phone line',
        description:
          'The numbers the assistant answers, its greeting, the transfer number, and the LiveKit trunk and dispatch rule that carry them. Needs `config:read`.',
        security: ADMIN_SECURITY,
        response: { 200: PhoneConfigResponse, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => getPhoneLine(ctx.db, request.admin!.tenantId),
  )

  r.put(
    PATH,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Update phone line',
        description:
          'Numbers in E.164 form, each held by one tenant (409 otherwise). Turning the line on creates or updates the LiveKit inbound SIP trunk and a dispatch rule sending each call to a room of this tenant with the voice agent; turning it off removes them. 503 when the server has no LiveKit settings; 502 with LiveKit’s words when LiveKit refuses. Needs `config:write`.',
        security: ADMIN_SECURITY,
        body: PhoneConfigUpdate,
        response: {
          200: PhoneConfigResponse,
          ...ADMIN_BODY_ERROR_RESPONSES,
          409: { ...ErrorResponse, description: 'A number belongs to another tenant' },
          502: { ...ErrorResponse, description: 'LiveKit refused or could not be reached' },
          503: { ...ErrorResponse, description: 'No LiveKit settings on this server' },
        },
      },
    },
    async (request) => {
      const line = await updatePhoneLine(ctx, request.admin!.tenantId, request.body)
      await recordAdminAction(ctx.db, request, {
        action: 'phone.updated',
        details: { enabled: line.enabled, phone_numbers: line.phone_numbers },
      })
      return line
    },
  )
}
