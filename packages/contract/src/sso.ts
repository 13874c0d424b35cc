import { type Static, Type } from '@sinclair/typebox'
import { TeamRoleSchema } from './team.ts'

/** At most this many allowed email domains and role mapping rules per tenant. */
export const SSO_LIMITS = { domains: 50, mappings: 100 } as const

const Domain = Type.String({
  minLength: 1,
  maxLength: 253,
  description: 'An email domain such as `acme.com` (lower-cased; no `@`)',
})

/** One rule of the role mapping: users whose `role_claim` holds `value` get `role`. */
export const SsoRoleMapping = Type.Object({
  value: Type.String({ minLength: 1, maxLength: 200, description: 'A value of the claim' }),
  role: TeamRoleSchema,
})
export type SsoRoleMapping = Static<typeof SsoRoleMapping>

/** `GET /api/v1/auth/sso` (and the answer of `PUT`): the tenant's single sign-on settings. */
export const SsoSettings = Type.Object({
  enabled: Type.Boolean(),
  issuer: Type.Union([Type.String(), Type.Null()], {
    description:
      "The OpenID provider's issuer URL (discovery at `/.well-known/openid-configuration`)",
  }),
  client_id: Type.Union([Type.String(), Type.Null()]),
  client_secret_set: Type.Boolean({ description: 'A client secret is stored (it is never shown)' }),
  allowed_domains: Type.Array(Type.String()),
  role_claim: Type.String({ description: 'The ID token or userinfo claim the mapping reads' }),
  role_mappings: Type.Array(SsoRoleMapping),
  default_role: Type.Union([TeamRoleSchema, Type.Null()], {
    description: 'Role of a new user no rule matches; null refuses them',
  }),
  redirect_uri: Type.String({ description: 'Register this redirect URI with the provider' }),
  updated_at: Type.Union([Type.String(), Type.Null()]),
})
export type SsoSettings = Static<typeof SsoSettings>

/** `PUT /api/v1/auth/sso` body. `client_secret` omitted keeps the stored one. */
export const SsoSettingsUpdate = Type.Object({
  enabled: Type.Boolean(),
  issuer: Type.String({ minLength: 1, maxLength: 2000 }),
  client_id: Type.String({ minLength: 1, maxLength: 500 }),
  client_secret: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  allowed_domains: Type.Array(Domain, { maxItems: SSO_LIMITS.domains }),
  role_claim: Type.Optional(Type.String({ minLength: 1, maxLength: 100, default: 'groups' })),
  role_mappings: Type.Optional(Type.Array(SsoRoleMapping, { maxItems: SSO_LIMITS.mappings })),
  default_role: Type.Optional(Type.Union([TeamRoleSchema, Type.Null()])),
})
export type SsoSettingsUpdate = Static<typeof SsoSettingsUpdate>

/** `GET /api/v1/auth/sso/start`: the workspace by tenant id, or by the user's email domain. */
export const SsoStartQuery = Type.Object({
  tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
})
export type SsoStartQuery = Static<typeof SsoStartQuery>

/** `GET /api/v1/auth/sso/callback`: the provider's authorization response. */
export const SsoCallbackQuery = Type.Object(
  {
    state: Type.Optional(Type.String({ maxLength: 500 })),
    code: Type.Optional(Type.String({ maxLength: 4000 })),
    error: Type.Optional(Type.String({ maxLength: 200 })),
    error_description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: true },
)
export type SsoCallbackQuery = Static<typeof SsoCallbackQuery>
