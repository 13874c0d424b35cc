import {
  ApiKeyCreatedResponse,
  ApiKeyCreateRequest,
  type ApiKeyInfo,
  ApiKeyInfo as ApiKeyInfoSchema,
  ApiKeyListResponse,
  ErrorResponse,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { recordAdminAction } from '../../audit/audit.ts'
import { type AdminPrincipal, adminAuth } from '../../auth/admin-auth.ts'
import {
  ADMIN_BODY_ERROR_RESPONSES,
  ADMIN_ERROR_RESPONSES,
  ADMIN_SECURITY,
} from '../../auth/admin-route-schema.ts'
import {
  type ApiKeyRow,
  countActiveApiKeys,
  createApiKey,
  findApiKeyById,
  listApiKeys,
  parseScopes,
  revokeApiKey,
} from '../../auth/api-key-repo.ts'
import { conflict, forbidden, notFound } from '../../errors.ts'

const TAGS = ['API keys']
/** Active keys per tenant; a runaway script minting keys should hit a wall, not fill the table. */
export const MAX_ACTIVE_API_KEYS = 100

/**
 * API-key management for the admin console, under the `config` scope: listing needs
 * `config:read`, creating and revoking `config:write`.
 *
 * No privilege escalation: a dashboard session holds every scope and may grant or revoke any;
 * an API key may only grant scopes it holds itself, and only revoke keys whose scopes it holds.
 */
export async function apiKeysRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = adminAuth(ctx, 'config')

  r.get(
    '/api/v1/api-keys',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'List API keys',
        description:
          "The tenant's API keys, newest first, revoked ones included. Never the key or its hash. Needs `config:read`.",
        security: ADMIN_SECURITY,
        response: { 200: ApiKeyListResponse, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => ({
      api_keys: (await listApiKeys(ctx.db, request.admin!.tenantId)).map(toInfo),
    }),
  )

  r.post(
    '/api/v1/api-keys',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Create an API key',
        description:
          'Returns the key in plaintext in `api_key`: it is shown this once and stored only as a hash. An API key may only grant scopes it holds itself. Needs `config:write`.',
        security: ADMIN_SECURITY,
        body: ApiKeyCreateRequest,
        response: {
          201: ApiKeyCreatedResponse,
          ...ADMIN_BODY_ERROR_RESPONSES,
          409: { ...ErrorResponse, description: 'Too many active keys' },
        },
      },
    },
    async (request, reply) => {
      const principal = request.admin!
      const scopes = [...new Set(request.body.scopes)]
      const lacking = lackingScopes(principal, scopes)
      if (lacking.length > 0) {
        throw forbidden(`Cannot grant scopes this API key does not hold: ${lacking.join(', ')}`)
      }
      if ((await countActiveApiKeys(ctx.db, principal.tenantId)) >= MAX_ACTIVE_API_KEYS) {
        throw conflict(
          `A tenant can have at most ${MAX_ACTIVE_API_KEYS} active API keys; revoke unused ones first`,
        )
      }
      const { key, row } = await createApiKey(ctx.db, {
        tenantId: principal.tenantId,
        scopes,
        name: request.body.name.trim() || 'API key',
      })
      request.log.info({ keyId: row.id, by: principal.id }, 'API key created')
      await recordAdminAction(ctx.db, request, {
        action: 'api_key.created',
        target: row.id,
        details: { name: row.name, scopes },
      })
      return reply.status(201).send({ ...toInfo(row), api_key: key })
    },
  )

  r.delete(
    '/api/v1/api-keys/:id',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Revoke an API key',
        description:
          'The key stops working at once. Revoking an already revoked key is a no-op. An API key may only revoke keys whose scopes it holds (itself included). Needs `config:write`.',
        security: ADMIN_SECURITY,
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: {
          200: ApiKeyInfoSchema,
          ...ADMIN_ERROR_RESPONSES,
          404: { ...ErrorResponse, description: 'No such key in this tenant' },
        },
      },
    },
    async (request) => {
      const principal = request.admin!
      const target = await findApiKeyById(ctx.db, principal.tenantId, request.params.id)
      if (!target) throw notFound('API key not found')
      const lacking = lackingScopes(principal, parseScopes(target))
      if (lacking.length > 0) {
        throw forbidden(
          `Cannot revoke a key holding scopes this API key does not hold: ${lacking.join(', ')}`,
        )
      }
      await revokeApiKey(ctx.db, principal.tenantId, target.id)
      if (target.revoked_at === null) {
        await recordAdminAction(ctx.db, request, { action: 'api_key.revoked', target: target.id })
      }
      request.log.info({ keyId: target.id, by: principal.id }, 'API key revoked')
      const revoked = await findApiKeyById(ctx.db, principal.tenantId, target.id)
      return toInfo(revoked ?? target)
    },
  )
}

function lackingScopes(principal: AdminPrincipal, scopes: string[]): string[] {
  if (principal.kind === 'session') return []
  return scopes.filter((s) => !principal.scopes.includes(s))
}

/** What admins may see of a key. */
export function toInfo(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: parseScopes(row),
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    revoked_at: row.revoked_at,
  }
}
