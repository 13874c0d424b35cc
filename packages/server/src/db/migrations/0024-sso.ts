import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../schema.ts'

/**
 * Console single sign-on with OpenID Connect (issue 24):
 * - `sso_configs`: a tenant's provider (issuer, client id, the client secret sealed under
 *   AURION_SECRET), the email domains it may sign in, and how its claim maps to team roles;
 * - `sso_login_states`: sign-ins under way, by the hash of their `state` (single use, short).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await sql`create table sso_configs (
    tenant_id text primary key references tenants(id) on delete cascade,
    enabled integer not null default 0,
    issuer text not null,
    client_id text not null,
    client_secret_enc text,
    allowed_domains text not null,
    role_claim text not null,
    role_mappings text not null,
    default_role text,
    created_at text not null,
    updated_at text not null
  )`.execute(db)
  await sql`create table sso_login_states (
    state_hash text primary key,
    tenant_id text not null references tenants(id) on delete cascade,
    code_verifier text not null,
    nonce text not null,
    created_at text not null,
    expires_at text not null,
    used_at text
  )`.execute(db)
  await sql`create index sso_login_states_expires on sso_login_states (expires_at)`.execute(db)
}
