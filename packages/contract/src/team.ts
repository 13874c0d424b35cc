import { type Static, Type } from '@sinclair/typebox'

/**
 * Console roles. `owner` and `admin` configure everything and manage the team (only an owner
 * makes or changes owners); an `agent` works the inbox (conversations) and the knowledge base,
 * never API keys or the widget's configuration.
 */
export const TEAM_ROLES = ['owner', 'admin', 'agent'] as const
export type TeamRole = (typeof TEAM_ROLES)[number]

/** A console user's availability: `online` only while they chose it and a console tab is open. */
export const AVAILABILITIES = ['online', 'away'] as const
export type Availability = (typeof AVAILABILITIES)[number]

/** Invitation links work this long, once. */
export const TEAM_INVITE_TTL_HOURS = 72
/**
 * A console tab says it is open every `heartbeatSeconds`; a user with no tab heard from for
 * `ttlSeconds` is away (hidden tabs may slow their timers to once a minute).
 */
export const PRESENCE = { heartbeatSeconds: 25, ttlSeconds: 90 } as const

export const TeamRoleSchema = Type.Union(
  TEAM_ROLES.map((r) => Type.Literal(r)),
  { description: '`owner`, `admin` or `agent`' },
)
export const AvailabilitySchema = Type.Union(
  AVAILABILITIES.map((a) => Type.Literal(a)),
  { description: '`online` or `away`' },
)

/** One member of the team (a console user of the tenant). */
export const TeamMember = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: TeamRoleSchema,
  availability: Type.Union([Type.Literal('online'), Type.Literal('away')], {
    description:
      '`online` when the member chose online and has a console tab open; `away` otherwise',
  }),
  chosen_availability: Type.Union([Type.Literal('online'), Type.Literal('away')], {
    description: 'What the member set in the console',
  }),
  last_seen_at: Type.Union([Type.String(), Type.Null()], {
    description: 'Last heartbeat of any of their console tabs',
  }),
  created_at: Type.String(),
})
export type TeamMember = Static<typeof TeamMember>

/** `GET /api/v1/team/members`. */
export const TeamMemberList = Type.Object({ members: Type.Array(TeamMember) })
export type TeamMemberList = Static<typeof TeamMemberList>

/** `PATCH /api/v1/team/members/{user_id}`. */
export const TeamMemberUpdate = Type.Object(
  { role: TeamRoleSchema },
  { additionalProperties: false },
)
export type TeamMemberUpdate = Static<typeof TeamMemberUpdate>

/** A pending invitation (never its token). */
export const TeamInvite = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: TeamRoleSchema,
  invited_by: Type.Union([
    Type.Object({ name: Type.Union([Type.String(), Type.Null()]), email: Type.String() }),
    Type.Null(),
  ]),
  created_at: Type.String(),
  expires_at: Type.String(),
})
export type TeamInvite = Static<typeof TeamInvite>

/** `GET /api/v1/team/invites`: pending invitations, newest first. */
export const TeamInviteList = Type.Object({ invites: Type.Array(TeamInvite) })
export type TeamInviteList = Static<typeof TeamInviteList>

/** `POST /api/v1/team/invites` body. */
export const TeamInviteCreateRequest = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, examples: ['sam@example.com'] }),
    role: TeamRoleSchema,
    name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)
export type TeamInviteCreateRequest = Static<typeof TeamInviteCreateRequest>

/** `POST /api/v1/team/invites` → 201. */
export const TeamInviteCreatedResponse = Type.Composite([
  TeamInvite,
  Type.Object({
    mailed: Type.Boolean({ description: 'true: the link was emailed to the invitee' }),
    invite_url: Type.Union([Type.String(), Type.Null()], {
      description:
        'The one-time set-password link when it was not mailed (no SMTP, or the send failed): shown this once, stored only as a hash',
    }),
  }),
])
export type TeamInviteCreatedResponse = Static<typeof TeamInviteCreatedResponse>

/** `PATCH /api/v1/team/me` body. */
export const AvailabilityUpdate = Type.Object(
  { availability: AvailabilitySchema },
  { additionalProperties: false },
)
export type AvailabilityUpdate = Static<typeof AvailabilityUpdate>

/** `POST /api/v1/team/me/heartbeat` body: a console tab is open (or, `closing`, about to close). */
export const PresenceHeartbeat = Type.Object(
  {
    tab_id: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
    closing: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type PresenceHeartbeat = Static<typeof PresenceHeartbeat>

/** `POST /api/v1/auth/invites/lookup` body. */
export const InviteLookupRequest = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200 }),
})
export type InviteLookupRequest = Static<typeof InviteLookupRequest>

/** `POST /api/v1/auth/invites/lookup` → 200: whom a valid invitation is for. */
export const InviteLookupResponse = Type.Object({
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: TeamRoleSchema,
  tenant: Type.Object({ name: Type.String() }),
  expires_at: Type.String(),
})
export type InviteLookupResponse = Static<typeof InviteLookupResponse>

/** `POST /api/v1/auth/invites/accept` body; answered like a sign-in (`LoginResponse`). */
export const InviteAcceptRequest = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  name: Type.Optional(Type.String({ maxLength: 200 })),
})
export type InviteAcceptRequest = Static<typeof InviteAcceptRequest>
