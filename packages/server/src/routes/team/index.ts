import {
  AvailabilityUpdate,
  ErrorResponse,
  PresenceHeartbeat,
  TeamInviteCreatedResponse,
  TeamInviteCreateRequest,
  TeamInviteList,
  TeamMember,
  TeamMemberList,
  TeamMemberUpdate,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { recordAdminAction } from '../../audit/audit.ts'
import { ADMIN_BODY_ERROR_RESPONSES, ADMIN_ERROR_RESPONSES } from '../../auth/admin-route-schema.ts'
import { actorOf, consoleSessionAuth } from '../../auth/session-auth.ts'
import { setChosenAvailability } from '../../team/availability.ts'
import { createInvite, listInvites, withdrawInvite } from '../../team/invite-service.ts'
import { changeMemberRole, getMember, listTeam, removeMember } from '../../team/member-service.ts'
import { removePresence, touchPresence } from '../../team/presence-repo.ts'

const TAGS = ['Team']
const SECURITY = [{ Session: [] }]
const ERR = ErrorResponse
const NO_CONTENT = { type: 'null', description: 'Done' } as const
const UserParams = Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 100 }) })
const InviteParams = Type.Object({ invite_id: Type.String({ minLength: 1, maxLength: 100 }) })

/**
 * The team of a tenant (console sessions only: these act as a person). Owners and admins list
 * members, invite, change roles and remove; every member sets their own availability and their
 * console tabs send heartbeats.
 */
export async function teamRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = consoleSessionAuth(ctx)

  r.get(
    '/api/v1/team/members',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'List the team',
        description:
          "The tenant's console users with their role and availability (`online` while they chose it and a console tab is open). Every member may read it (to see who is around, to assign); only owners and admins change it.",
        security: SECURITY,
        response: { 200: TeamMemberList, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => ({ members: await listTeam(ctx.db, actorOf(request).tenantId) }),
  )

  r.patch(
    '/api/v1/team/members/:user_id',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: "Change a member's role",
        description:
          'Owners change anyone; admins change admins and agents, never an owner, and cannot make owners. The last owner keeps the role (409).',
        security: SECURITY,
        params: UserParams,
        body: TeamMemberUpdate,
        response: {
          200: TeamMember,
          ...ADMIN_BODY_ERROR_RESPONSES,
          404: { ...ERR, description: 'No such member in your team' },
          409: { ...ERR, description: 'The last owner' },
        },
      },
    },
    async (request) => {
      const member = await changeMemberRole(
        ctx.database,
        actorOf(request),
        request.params.user_id,
        request.body.role,
      )
      await recordAdminAction(ctx.db, request, {
        action: 'user.role_changed',
        target: member.id,
        details: { role: member.role },
      })
      return member
    },
  )

  r.delete(
    '/api/v1/team/members/:user_id',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Remove a member',
        description:
          'Their account and sessions end at once. Same rules as a role change; nobody removes themselves.',
        security: SECURITY,
        params: UserParams,
        response: {
          204: NO_CONTENT,
          ...ADMIN_ERROR_RESPONSES,
          404: { ...ERR, description: 'No such member in your team' },
          409: { ...ERR, description: 'The last owner, or yourself' },
        },
      },
    },
    async (request, reply) => {
      await removeMember(ctx.database, actorOf(request), request.params.user_id)
      await recordAdminAction(ctx.db, request, {
        action: 'user.removed',
        target: request.params.user_id,
      })
      return reply.status(204).send()
    },
  )

  r.get(
    '/api/v1/team/invites',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'List pending invitations',
        security: SECURITY,
        response: { 200: TeamInviteList, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => ({ invites: await listInvites(ctx.db, actorOf(request)) }),
  )

  r.post(
    '/api/v1/team/invites',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Invite a teammate',
        description:
          'A one-time set-password link (72 hours): emailed when the server sends mail (`mailed: true`), otherwise returned this once in `invite_url`. Only an owner invites owners. A new invitation of the same email replaces the pending one.',
        security: SECURITY,
        body: TeamInviteCreateRequest,
        response: {
          201: TeamInviteCreatedResponse,
          ...ADMIN_BODY_ERROR_RESPONSES,
          409: { ...ERR, description: 'Already a console user, or too many pending' },
        },
      },
    },
    async (request, reply) => {
      const created = await createInvite(ctx, actorOf(request), request.body)
      await recordAdminAction(ctx.db, request, {
        action: 'user.invited',
        target: created.id,
        details: { role: created.role, mailed: created.mailed },
      })
      return reply.status(201).send(created)
    },
  )

  r.delete(
    '/api/v1/team/invites/:invite_id',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Withdraw an invitation',
        description: 'Its link stops working at once.',
        security: SECURITY,
        params: InviteParams,
        response: {
          204: NO_CONTENT,
          ...ADMIN_ERROR_RESPONSES,
          404: { ...ERR, description: 'No such pending invitation' },
        },
      },
    },
    async (request, reply) => {
      await withdrawInvite(ctx.db, actorOf(request), request.params.invite_id)
      await recordAdminAction(ctx.db, request, {
        action: 'user.invite_withdrawn',
        target: request.params.invite_id,
      })
      return reply.status(204).send()
    },
  )

  r.get(
    '/api/v1/team/me',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Your own membership and availability',
        security: SECURITY,
        response: { 200: TeamMember, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      return getMember(ctx.db, actor.tenantId, actor.userId)
    },
  )

  r.patch(
    '/api/v1/team/me',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Set your availability',
        description:
          '`online` or `away`. You count as online only while a console tab of yours is open (it sends heartbeats).',
        security: SECURITY,
        body: AvailabilityUpdate,
        response: { 200: TeamMember, ...ADMIN_BODY_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      await setChosenAvailability(ctx.db, actor.userId, request.body.availability)
      return getMember(ctx.db, actor.tenantId, actor.userId)
    },
  )

  r.post(
    '/api/v1/team/me/heartbeat',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'A console tab is open',
        description:
          'Sent by each console tab every 25 seconds (`closing: true` when the tab closes). A member with no tab heard from for 90 seconds is away.',
        security: SECURITY,
        body: PresenceHeartbeat,
        response: { 204: NO_CONTENT, ...ADMIN_BODY_ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      if (request.body.closing) await removePresence(ctx.db, actor.userId, request.body.tab_id)
      else
        await touchPresence(ctx.db, {
          userId: actor.userId,
          tenantId: actor.tenantId,
          tabId: request.body.tab_id,
          now: new Date(),
        })
      return reply.status(204).send()
    },
  )
}
