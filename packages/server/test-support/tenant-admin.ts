import type { WidgetConfigUpdate } from '@aurion/contract'
import type { FastifyInstance } from 'fastify'
import type { TestTenant } from './tenant.ts'

/**
 * Changes a test tenant's widget config through the admin API, as its admin would (the change is
 * then seen at once by every cache). `update` goes over a minimal valid update.
 */
export async function putTestWidgetConfig(
  app: FastifyInstance,
  tenant: Pick<TestTenant, 'apiKey'>,
  update: Partial<WidgetConfigUpdate>,
): Promise<void> {
  const res = await app.inject({
    method: 'PUT',
    url: '/api/v1/voice-widget/config',
    headers: { 'x-api-key': tenant.apiKey },
    payload: { enabled: true, display_title: 'Help', launcher_label: 'Chat', ...update },
  })
  if (res.statusCode !== 200)
    throw new Error(`config update refused: ${res.statusCode} ${res.body}`)
}

/** Rotates a test tenant's identity secret through the admin API; returns the new secret. */
export async function rotateTestIdentitySecret(
  app: FastifyInstance,
  tenant: Pick<TestTenant, 'apiKey'>,
): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/voice-widget/config/rotate-identity-secret',
    headers: { 'x-api-key': tenant.apiKey },
  })
  if (res.statusCode !== 200) throw new Error(`rotation refused: ${res.statusCode} ${res.body}`)
  return res.json().identity_secret as string
}
