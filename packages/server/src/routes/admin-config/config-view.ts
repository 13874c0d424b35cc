import { buildEmbedSnippet, embedScriptUrl, type VoiceWidgetConfigResponse } from '@aurion/contract'
import type { TenantRow } from '../../tenants/tenant-repo.ts'
import { tenantWidgetConfig } from '../../tenants/tenant-service.ts'

/**
 * The contract's VoiceWidgetConfigResponse for a tenant, with URLs based on `publicUrl`. Never the
 * identity secret: a `config:read` key could mint verified identities with it; it is shown once,
 * by the rotation that makes it.
 */
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
    updated_at: tenant.updated_at,
  }
}
