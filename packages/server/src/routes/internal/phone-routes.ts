import type { InternalPhoneCall } from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { notFound } from '../../errors.ts'
import { findTenantById } from '../../tenants/tenant-repo.ts'
import { tenantWidgetConfig } from '../../tenants/tenant-service.ts'
import { startPhoneCall } from '../../voice/phone-calls.ts'
import { PhoneCallBody } from './schemas.ts'

/**
 * `POST /internal/v1/phone/calls`: a phone call reached the voice agent (a room made by the
 * tenant's SIP dispatch rule). The caller becomes (or is found as) a contact by number, and
 * their open conversation continues; the worker then stores every turn with `channel: "phone"`
 * through the conversation routes.
 */
export async function phoneCallRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  r.post(
    '/internal/v1/phone/calls',
    { schema: { hide: true, body: PhoneCallBody } },
    async (request): Promise<InternalPhoneCall> => {
      const b = request.body
      const tenant = await findTenantById(ctx.db, b.tenant_id)
      if (!tenant) throw notFound('Tenant not found')
      const call = await startPhoneCall(
        ctx,
        { tenant, config: tenantWidgetConfig(tenant) },
        { callerNumber: b.caller_number ?? null, locale: b.locale },
      )
      return {
        tenant_id: tenant.id,
        conversation_id: call.conversationId,
        thread_id: call.threadId,
        contact_id: call.contactId,
        resumed: call.resumed,
        greeting: call.greeting,
        transfer_to: call.transferTo,
      }
    },
  )
}
