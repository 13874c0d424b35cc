import {
  type HelpCenterSettings,
  type HelpCenterUpdate,
  RESERVED_HELP_CENTER_SLUGS,
} from '@aurion/contract'
import type { FastifyBaseLogger } from 'fastify'
import type { RouteContext } from '../app-deps.ts'
import { isUniqueViolation } from '../conversations/db-errors.ts'
import { conflict, invalidField, notFound } from '../errors.ts'
import { findHelpCenter, type HelpCenterRow, saveHelpCenter } from './help-center-repo.ts'

/** Where a Help Center is served: its subdomain with a Help Center domain, else `/hc/{slug}`. */
export function helpCenterUrl(
  config: Pick<RouteContext['config'], 'helpCenterDomain' | 'publicUrl'>,
  slug: string,
): string {
  return config.helpCenterDomain !== undefined
    ? `https://${slug}.${config.helpCenterDomain}`
    : `${config.publicUrl}/hc/${slug}`
}

/** The API shape of stored settings. */
export function toHelpCenterSettings(
  config: Pick<RouteContext['config'], 'helpCenterDomain' | 'publicUrl'>,
  row: HelpCenterRow,
): HelpCenterSettings {
  return {
    enabled: Number(row.enabled) === 1,
    slug: row.slug,
    title: row.title,
    description: row.description,
    logo_url: row.logo_url,
    primary_color: row.primary_color,
    url: helpCenterUrl(config, row.slug),
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

/** The tenant's settings; 404 before the first `PUT`. */
export async function getHelpCenterSettings(
  ctx: RouteContext,
  tenantId: string,
): Promise<HelpCenterSettings> {
  const row = await findHelpCenter(ctx.db, tenantId)
  if (row === undefined) throw notFound('The Help Center is not set up yet')
  return toHelpCenterSettings(ctx.config, row)
}

/**
 * Stores the settings (422 for a reserved slug or a logo that is not an https URL, 409 when another
 * tenant has the slug), then tells every instance: the widget's Help Center origins follow the
 * slug and the enabled flag.
 */
export async function putHelpCenterSettings(
  ctx: RouteContext,
  log: FastifyBaseLogger,
  tenantId: string,
  input: HelpCenterUpdate,
): Promise<HelpCenterSettings> {
  const slug = input.slug
  if ((RESERVED_HELP_CENTER_SLUGS as readonly string[]).includes(slug))
    throw invalidField(['body', 'slug'], `"${slug}" is reserved; choose another slug`)
  const title = input.title.trim()
  if (title === '')
    throw invalidField(
      ['body', 'title'],
      'String should have at least 1 character',
      'string_too_short',
    )
  const logo = input.logo_url?.trim() || null
  if (logo !== null && !logo.toLowerCase().startsWith('https://'))
    throw invalidField(['body', 'logo_url'], 'The logo must be an https:// URL')
  let row: HelpCenterRow
  try {
    row = await saveHelpCenter(ctx.db, tenantId, {
      enabled: input.enabled,
      slug,
      title,
      description: input.description?.trim() || null,
      logo_url: logo,
      primary_color: input.primary_color?.toLowerCase() ?? null,
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`The Help Center slug "${slug}" is taken`)
    throw err
  }
  ctx.tenantCache?.invalidate(tenantId)
  try {
    await ctx.bus.publish({ type: 'tenant.config_changed', tenantId })
  } catch (err) {
    // Stored already; other instances catch up when their tenant caches expire.
    log.warn({ err, tenantId }, 'could not announce the Help Center change')
  }
  return toHelpCenterSettings(ctx.config, row)
}
