/**
 * Environment of a server whose webhook worker delivers to receivers on loopback without delay:
 * private addresses allowed, retries after a 40 ms backoff, the outbox polled every 50 ms.
 */
export const QUICK_WEBHOOK_ENV: Record<string, string> = {
  AURION_WEBHOOK_ALLOW_PRIVATE: 'true',
  AURION_WEBHOOK_RETRY_BASE_MS: '40',
  AURION_WEBHOOK_POLL_MS: '50',
}
