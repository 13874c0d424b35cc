import { createHmac } from 'node:crypto'

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the HMAC-SHA256, keyed with the
 * base64 bytes after `whsec_`, of `<webhook-id>.<webhook-timestamp>.<body>`, sent as
 * `v1,<base64>`. Receivers verify with any `standardwebhooks` library.
 */
export function signWebhook(
  secret: string,
  id: string,
  timestampSec: number,
  body: string,
): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64')
  const mac = createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64')
  return `v1,${mac}`
}

/** The three Standard Webhooks headers for one attempt (a fresh timestamp each time). */
export function webhookHeaders(
  secret: string,
  id: string,
  timestampSec: number,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': signWebhook(secret, id, timestampSec, body),
  }
}
