import { normalizeOrigin, resolveWidgetConfig } from '@aurion/contract'
import type { Command } from 'commander'
import { createApiKey } from '../auth/api-key-repo.ts'
import { ALL_SCOPES } from '../auth/scopes.ts'
import { createTenant, listTenants } from '../tenants/tenant-repo.ts'
import { tenantWidgetConfig } from '../tenants/tenant-service.ts'
import { type CliContext, collect, formatTable, usageError } from './context.ts'
import { parseScopeList } from './scopes.ts'

const MAX_NAME = 100

/** `aurion tenant create|list`. */
export function tenantCommands(program: Command, ctx: CliContext): void {
  const tenant = program.command('tenant').description('Create and list tenants')

  tenant
    .command('create')
    .description('Create a tenant with a public widget key and an admin API key (shown once)')
    .requiredOption('--name <name>', 'display name of the tenant')
    .option(
      '--origin <origin>',
      'allowed origin of the site embedding the widget, e.g. https://example.com (repeatable)',
      collect,
    )
    .option(
      '--scopes <list>',
      `scopes of the admin API key, comma-separated (default: all: ${ALL_SCOPES.join(',')})`,
    )
    .option('--json', 'print {"tenant_id","public_widget_key","api_key","scopes"}')
    .action(async (opts: { name: string; origin?: string[]; scopes?: string; json?: boolean }) => {
      const name = opts.name.trim()
      if (name === '' || name.length > MAX_NAME)
        throw usageError(`--name must be 1 to ${MAX_NAME} characters`)
      const origins = parseOrigins(opts.origin ?? [])
      const scopes = opts.scopes === undefined ? [...ALL_SCOPES] : parseScopeList(opts.scopes)
      const result = await ctx.withDatabase(async ({ db }) => {
        const row = await createTenant(db, {
          name,
          config: { ...resolveWidgetConfig({}), allowed_origins: origins },
        })
        const { key } = await createApiKey(db, {
          tenantId: row.id,
          scopes,
          name: 'Admin key (aurion tenant create)',
        })
        return { row, key }
      })
      const out = {
        tenant_id: result.row.id,
        public_widget_key: result.row.public_widget_key,
        api_key: result.key,
        scopes,
      }
      if (opts.json) return ctx.print(JSON.stringify(out))
      ctx.print(
        [
          `Created tenant "${name}"`,
          `  Tenant ID          ${out.tenant_id}`,
          `  Public widget key  ${out.public_widget_key}`,
          `  Allowed origins    ${origins.length > 0 ? origins.join(', ') : '(none yet: set them with PUT /api/v1/voice-widget/config)'}`,
          `  Admin API key      ${out.api_key}`,
          `  Scopes             ${scopes.join(', ')}`,
          '',
          'The API key is shown only this once: store it now.',
        ].join('\n'),
      )
    })

  tenant
    .command('list')
    .description('List tenants')
    .option('--json', 'print a JSON array')
    .action(async (opts: { json?: boolean }) => {
      const rows = await ctx.withDatabase(({ db }) => listTenants(db))
      const tenants = rows.map((r) => {
        const c = tenantWidgetConfig(r)
        return {
          tenant_id: r.id,
          name: r.name,
          public_widget_key: r.public_widget_key,
          enabled: c.enabled,
          allowed_origins: c.allowed_origins,
          created_at: r.created_at,
        }
      })
      if (opts.json) return ctx.print(JSON.stringify(tenants))
      if (tenants.length === 0) return ctx.print('No tenants yet: aurion tenant create --name NAME')
      ctx.print(
        formatTable(
          ['TENANT ID', 'NAME', 'PUBLIC WIDGET KEY', 'ENABLED', 'ORIGINS'],
          tenants.map((t) => [
            t.tenant_id,
            t.name,
            t.public_widget_key,
            t.enabled ? 'yes' : 'no',
            t.allowed_origins.join(', '),
          ]),
        ),
      )
    })
}

function parseOrigins(raw: string[]): string[] {
  const out = new Set<string>()
  for (const o of raw) {
    const r = normalizeOrigin(o)
    if ('error' in r) throw usageError(`--origin "${o}": ${r.error}`)
    out.add(r.origin)
  }
  if (out.size > 50) throw usageError('at most 50 --origin values')
  return [...out]
}
