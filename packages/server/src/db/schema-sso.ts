// Single sign-on tables of the `Database` schema (schema.ts), migration 0024.

/** A tenant's OpenID Connect settings for console sign-in: one row per tenant. */
export interface SsoConfigsTable {
  tenant_id: string
  /** 1 or 0. */
  enabled: number
  issuer: string
  client_id: string
  /** The client secret sealed under AURION_SECRET (webhooks/secret-box.ts), or null. */
  client_secret_enc: string | null
  /** JSON array of lower-cased email domains. */
  allowed_domains: string
  role_claim: string
  /** JSON array of `{value, role}`. */
  role_mappings: string
  /** `owner`, `admin`, `agent`, or null: a new user no rule matches is refused. */
  default_role: string | null
  created_at: string
  updated_at: string
}

/**
 * A sign-in under way, between `/sso/start` and `/sso/callback`: the SHA-256 of its `state`,
 * the PKCE verifier and nonce it was started with. Single use (`used_at`), 10 minutes.
 */
export interface SsoLoginStatesTable {
  state_hash: string
  tenant_id: string
  code_verifier: string
  nonce: string
  created_at: string
  expires_at: string
  used_at: string | null
}
