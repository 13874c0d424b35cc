import {
  buildEmbedSnippet,
  embedScriptUrl,
  resolveWidgetConfig,
  type VoiceWidgetConfigResponse,
  type WidgetConfig,
} from '@aurion/contract'
import type { TenantRow } from '../../tenants/tenant-repo.ts'

/** The stored config of a tenant with every default applied. */
export function tenantWidgetConfig(tenant: Pick<TenantRow, 'config'>): WidgetConfig {
  return resolveWidgetConfig(JSON.parse(tenant.config))
}

/** The contract's VoiceWidgetConfigResponse for a tenant, with URLs based on `publicUrl`. */
export function configResponse(tenant: TenantRow, publicUrl: string): VoiceWidgetConfigResponse {
  return {
    ...tenantWidgetConfig(tenant),
    tenant_id: tenant.id,
    public_widget_key: tenant.public_widget_key,
    embed_script_url: embedScriptUrl(publicUrl),
    embed_snippet: buildEmbedSnippet({
      tenantId: tenant.id,
      publicKey: tenant.public_widget_key,
      apiBaseUrl: publicUrl,
    }),
    identity_secret: tenant.identity_secret,
    updated_at: tenant.updated_at,
  }
}
