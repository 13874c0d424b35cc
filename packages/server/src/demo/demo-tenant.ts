import { normalizeOrigin, resolveWidgetConfig } from '@aurion/contract'
import { createAdminUser } from '../admin-users/user-repo.ts'
import { createApiKey } from '../auth/api-key-repo.ts'
import { ALL_SCOPES } from '../auth/scopes.ts'
import type { Config } from '../config.ts'
import type { Db } from '../db/schema.ts'
import { randomBase62 } from '../ids.ts'
import { seedDemoArticles } from '../knowledge/demo-articles.ts'
import { countTenants, createTenant, findTenantByName } from '../tenants/tenant-repo.ts'
import { tenantWidgetConfig } from '../tenants/tenant-service.ts'

export const DEMO_TENANT_NAME = 'Demo'
/**
 * What the demo tenant's widget calls itself: the help desk of the demo page (`/demo`, an IT
 * help portal), whose articles `seedDemoArticles` writes.
 */
export const DEMO_WIDGET_TEXTS = {
  display_title: 'IT Help Desk',
  launcher_label: 'Ask IT',
  welcome_text: "Hi! I'm the IT help desk assistant. What can I help you with?",
} as const
/** The demo's console user; its password is generated and shown once. */
export const DEMO_ADMIN_EMAIL = 'admin@demo.aurion.local'

/** What `npm start` tells the user about the demo tenant. */
export interface DemoTenantInfo {
  /** True when this start created it (then `apiKey` is set: it is shown only this once). */
  created: boolean
  tenantId: string
  publicKey: string
  origins: string[]
  apiKey?: string
  scopes?: string[]
  /** Console sign-in created with the tenant (password shown only this once). */
  admin?: { email: string; password: string }
  articles?: number
}

/** The demo's allowed origins: the public URL and the loopback URLs of the listening port. */
export function demoOrigins(config: Config, port: number): string[] {
  const out = new Set<string>()
  for (const raw of [config.publicUrl, `http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
    const r = normalizeOrigin(new URL(raw).origin)
    if ('origin' in r) out.add(r.origin)
  }
  return [...out]
}

/**
 * On an empty database, creates the "Demo" tenant (origins: this server's own URLs), an admin
 * API key with every scope and the demo help-desk articles. On later starts, finds it again.
 * Returns undefined when the database holds other tenants but no demo one.
 */
export async function ensureDemoTenant(
  db: Db,
  config: Config,
  port: number,
): Promise<DemoTenantInfo | undefined> {
  if ((await countTenants(db)) === 0) {
    const origins = demoOrigins(config, port)
    const tenant = await createTenant(db, {
      name: DEMO_TENANT_NAME,
      config: {
        ...resolveWidgetConfig({}),
        ...DEMO_WIDGET_TEXTS,
        allowed_origins: origins,
      },
    })
    const scopes = [...ALL_SCOPES]
    const { key } = await createApiKey(db, {
      tenantId: tenant.id,
      scopes,
      name: 'Demo admin key (npm start)',
    })
    const articles = await seedDemoArticles(db, tenant.id)
    const admin = { email: DEMO_ADMIN_EMAIL, password: randomBase62(16) }
    await createAdminUser(db, {
      tenantId: tenant.id,
      email: admin.email,
      name: 'Demo admin',
      password: admin.password,
    })
    return {
      admin,
      created: true,
      tenantId: tenant.id,
      publicKey: tenant.public_widget_key,
      origins,
      apiKey: key,
      scopes,
      articles,
    }
  }
  const tenant = await findTenantByName(db, DEMO_TENANT_NAME)
  if (!tenant) return undefined
  return {
    created: false,
    tenantId: tenant.id,
    publicKey: tenant.public_widget_key,
    origins: tenantWidgetConfig(tenant).allowed_origins,
  }
}

/** The text `npm start` prints once the server listens. */
export function demoBanner(info: DemoTenantInfo | undefined, publicUrl: string): string {
  const lines = [
    '',
    `  Aurion is running at ${publicUrl}`,
    '',
    `    API docs       ${publicUrl}/docs`,
    `    Admin console  ${publicUrl}/admin`,
    `    Demo page      ${publicUrl}/demo`,
    '',
  ]
  if (info?.created) {
    lines.push(
      '  Created the demo tenant "Demo" (the API key is shown only this once):',
      '',
      `    Tenant ID          ${info.tenantId}`,
      `    Public widget key  ${info.publicKey}`,
      `    Admin API key      ${info.apiKey}`,
      ...(info.admin
        ? [
            `    Console sign-in    ${info.admin.email} / ${info.admin.password}   (${publicUrl}/admin)`,
          ]
        : []),
      `    Scopes             ${(info.scopes ?? []).join(', ')}`,
      `    Allowed origins    ${info.origins.join(', ')}`,
      ...(info.articles ? [`    Knowledge          ${info.articles} demo help-desk articles`] : []),
      '',
      '  Try the admin API from another terminal (see docs/admin-api.md):',
      '',
      `    export AURION_URL=${publicUrl} AURION_KEY=${info.apiKey}`,
      '    curl -s "$AURION_URL/api/v1/voice-widget/config" -H "X-API-Key: $AURION_KEY"',
      '',
    )
  } else if (info) {
    lines.push(
      '  Demo tenant "Demo":',
      '',
      `    Tenant ID          ${info.tenantId}`,
      `    Public widget key  ${info.publicKey}`,
      '',
      `  Its API key and console password (${DEMO_ADMIN_EMAIL}) were shown on the first start.`,
      '  To reset the password: npx aurion user set-password --email ' + DEMO_ADMIN_EMAIL,
      '  To mint a new API key (from this directory):',
      '',
      `    npx aurion api-key create --tenant ${info.tenantId} --scopes config:read,config:write`,
      '',
      '  or straight into the variables the docs/admin-api.md walk-through uses:',
      '',
      `    export AURION_URL=${publicUrl} AURION_KEY=$(npx aurion api-key create --tenant ${info.tenantId} --scopes config:read,config:write --json | node -pe 'JSON.parse(require("fs").readFileSync(0)).api_key')`,
      '',
    )
  }
  return `${lines.join('\n')}\n`
}
