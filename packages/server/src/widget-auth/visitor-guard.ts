import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RouteContext } from '../app-deps.ts'
import { resolveVisitorIdentity } from '../visitors/visitor-auth.ts'
import { authorizeWidget, limitByIp, PUBLIC_LIMITS } from './public-guard.ts'

/** The credentials every visitor write carries in its body. */
interface VisitorCredentials {
  tenant_id: string
  public_key: string
  email_token?: string | undefined
}

/**
 * The guard of a visitor's write about their own conversation (resolve, delete, feedback, CSAT):
 * the messages limit per IP, then the widget's key and Origin, then who the visitor is (their
 * `email_token`, when sent). Which conversation is theirs is the service's rule.
 */
export async function guardVisitorWrite(
  ctx: RouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  b: VisitorCredentials,
) {
  await limitByIp(ctx, request, reply, PUBLIC_LIMITS.messages)
  const access = await authorizeWidget(ctx, {
    tenantId: b.tenant_id,
    publicKey: b.public_key,
    originHeader: request.headers.origin,
  })
  return { access, identity: resolveVisitorIdentity(ctx, access, { emailToken: b.email_token }) }
}
