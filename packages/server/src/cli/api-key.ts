import type { Command } from 'commander'
import {
  createApiKey,
  findApiKeyByHash,
  findApiKeyById,
  listApiKeys,
  parseScopes,
  revokeApiKey,
} from '../auth/api-key-repo.ts'
import { sha256Hex } from '../auth/keys.ts'
import { ALL_SCOPES } from '../auth/scopes.ts'
import type { Db } from '../db/schema.ts'
import { findTenantById } from '../tenants/tenant-repo.ts'
import { type CliContext, CliError, formatTable, parseTenantId, usageError } from './context.ts'
import { parseScopeList } from './scopes.ts'

/** `aurion api-key create|list|revoke`. */
export function apiKeyCommands(program: Command, ctx: CliContext): void {
  const apiKey = program.command('api-key').description("Manage a tenant's admin API keys")

  apiKey
    .command('create')
    .description('Create an API key (printed once; stored only as a hash)')
    .requiredOption('--tenant <id>', 'tenant id (UUID)')
    .requiredOption(
      '--scopes <list>',
      `comma-separated scopes, e.g. config:read,config:write (valid: ${ALL_SCOPES.join(', ')})`,
    )
    .option('--name <name>', 'label shown in key listings', 'CLI key')
    .option('--json', 'print {"api_key","scopes"}')
    .action(async (opts: { tenant: string; scopes: string; name: string; json?: boolean }) => {
      const tenantId = parseTenantId(opts.tenant)
      const scopes = parseScopeList(opts.scopes)
      const name = opts.name.trim()
      if (name === '' || name.length > 100) throw usageError('--name must be 1 to 100 characters')
      const { key, row } = await ctx.withDatabase(async ({ db }) => {
        await requireTenant(db, tenantId)
        return createApiKey(db, { tenantId, scopes, name })
      })
      if (opts.json) return ctx.print(JSON.stringify({ api_key: key, scopes }))
      ctx.print(
        [
          `Created API key ${row.id} ("${name}") with scopes ${scopes.join(', ')}:`,
          key,
          'It is shown only this once: store it now.',
        ].join('\n'),
      )
    })

  apiKey
    .command('list')
    .description("List a tenant's API keys (never the keys themselves)")
    .requiredOption('--tenant <id>', 'tenant id (UUID)')
    .option('--json', 'print a JSON array')
    .action(async (opts: { tenant: string; json?: boolean }) => {
      const tenantId = parseTenantId(opts.tenant)
      const rows = await ctx.withDatabase(async ({ db }) => {
        await requireTenant(db, tenantId)
        return listApiKeys(db, tenantId)
      })
      const keys = rows.map((r) => ({
        id: r.id,
        name: r.name,
        prefix: r.prefix,
        scopes: parseScopes(r),
        created_at: r.created_at,
        last_used_at: r.last_used_at,
        revoked_at: r.revoked_at,
      }))
      if (opts.json) return ctx.print(JSON.stringify(keys))
      if (keys.length === 0) return ctx.print('No API keys.')
      ctx.print(
        formatTable(
          ['ID', 'NAME', 'PREFIX', 'SCOPES', 'LAST USED', 'STATUS'],
          keys.map((k) => [
            k.id,
            k.name,
            `${k.prefix}…`,
            k.scopes.join(','),
            k.last_used_at ?? 'never',
            k.revoked_at ? `revoked ${k.revoked_at}` : 'active',
          ]),
        ),
      )
    })

  apiKey
    .command('revoke')
    .description('Revoke an API key, by id or by the key itself; it stops working at once')
    .requiredOption('--tenant <id>', 'tenant id (UUID)')
    .option('--id <keyId>', 'key id, as shown by "aurion api-key list"')
    .option('--key <apiKey>', 'the key itself (itsm_sk_live_…)')
    .action(async (opts: { tenant: string; id?: string; key?: string }) => {
      const tenantId = parseTenantId(opts.tenant)
      if ((opts.id === undefined) === (opts.key === undefined))
        throw usageError('give exactly one of --id KEY_ID or --key API_KEY')
      const message = await ctx.withDatabase(async ({ db }) => {
        await requireTenant(db, tenantId)
        const row =
          opts.id !== undefined
            ? await findApiKeyById(db, tenantId, opts.id.trim())
            : await findApiKeyByHash(db, sha256Hex(opts.key!.trim()))
        if (!row || row.tenant_id !== tenantId)
          throw new CliError(`no API key ${opts.id ?? 'with that value'} in tenant ${tenantId}`)
        if (row.revoked_at !== null)
          return `API key ${row.id} was already revoked at ${row.revoked_at}`
        await revokeApiKey(db, tenantId, row.id)
        return `Revoked API key ${row.id} ("${row.name}")`
      })
      ctx.print(message)
    })
}

async function requireTenant(db: Db, tenantId: string): Promise<void> {
  if (!(await findTenantById(db, tenantId))) throw new CliError(`no tenant with id ${tenantId}`)
}
