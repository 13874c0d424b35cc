import type { SsoRoleMapping, TeamRole } from '@aurion/contract'
import type { Selectable } from 'kysely'
import type { Db, SsoConfigsTable } from '../db/schema.ts'

export type SsoConfigRow = Selectable<SsoConfigsTable>

/** A tenant's single sign-on settings as the services use them (JSON columns parsed). */
export interface SsoConfig {
  tenantId: string
  enabled: boolean
  issuer: string
  clientId: string
  /** Sealed (webhooks/secret-box.ts), or null when none was given. */
  clientSecretSealed: string | null
  allowedDomains: string[]
  roleClaim: string
  roleMappings: SsoRoleMapping[]
  defaultRole: TeamRole | null
  createdAt: string
  updatedAt: string
}

function fromRow(row: SsoConfigRow): SsoConfig {
  return {
    tenantId: row.tenant_id,
    enabled: row.enabled === 1,
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecretSealed: row.client_secret_enc,
    allowedDomains: JSON.parse(row.allowed_domains) as string[],
    roleClaim: row.role_claim,
    roleMappings: JSON.parse(row.role_mappings) as SsoRoleMapping[],
    defaultRole: row.default_role as TeamRole | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export async function findSsoConfig(db: Db, tenantId: string): Promise<SsoConfig | undefined> {
  const row = await db
    .selectFrom('sso_configs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  return row && fromRow(row)
}

/** The enabled configurations that let this email domain sign in (normally one). */
export async function findEnabledSsoConfigsByDomain(db: Db, domain: string): Promise<SsoConfig[]> {
  const rows = await db
    .selectFrom('sso_configs')
    .selectAll()
    .where('enabled', '=', 1)
    .where('allowed_domains', 'like', `%${JSON.stringify(domain)}%`)
    .execute()
  return rows.map(fromRow).filter((c) => c.allowedDomains.includes(domain))
}

/** Creates or replaces the tenant's settings. */
export async function saveSsoConfig(db: Db, config: SsoConfig): Promise<void> {
  const row: SsoConfigRow = {
    tenant_id: config.tenantId,
    enabled: config.enabled ? 1 : 0,
    issuer: config.issuer,
    client_id: config.clientId,
    client_secret_enc: config.clientSecretSealed,
    allowed_domains: JSON.stringify(config.allowedDomains),
    role_claim: config.roleClaim,
    role_mappings: JSON.stringify(config.roleMappings),
    default_role: config.defaultRole,
    created_at: config.createdAt,
    updated_at: config.updatedAt,
  }
  const { tenant_id: _t, created_at: _c, ...update } = row
  await db
    .insertInto('sso_configs')
    .values(row)
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet(update))
    .execute()
}
