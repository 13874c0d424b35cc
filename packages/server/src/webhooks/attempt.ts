import { Lru } from '../lru.ts'
import { safeFetch } from '../net/safe-fetch.ts'
import { openSecret } from './secret-box.ts'
import { webhookHeaders } from './signature.ts'
import { teamChatBody } from './slack-format.ts'

/** What one attempt needs: the claimed delivery's endpoint and event, and the moment it signs. */
export interface AttemptRequest {
  url: string
  /** `standard` or `slack`. */
  format: string
  secret_enc: string
  event_id: string
  type: string
  payload: string
  /** The `webhook-timestamp` (the worker's clock, which tests drive). */
  timestampSec: number
}

/** How it went: the endpoint's status (null when none came) and why it failed, if it did. */
export interface AttemptResult {
  statusCode: number | null
  error: string | null
  durationMs: number
}

export interface AttemptSettings {
  /** AURION_SECRET: unseals the endpoints' signing secrets. */
  serverSecret: string
  /** AURION_WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate: boolean
  /** Per attempt. */
  timeoutMs: number
}

const RESPONSE_CAP = 4096
const ERROR_SNIPPET = 200
/** Endpoints' secrets kept unsealed (each unsealing derives a key and decrypts). */
const SECRETS_KEPT = 256

/**
 * Makes attempts: unseals the endpoint's secret, shapes the body (`slack` endpoints get the team
 * chat text), signs it (Standard Webhooks) and POSTs it through the SSRF-safe fetch. A 2xx is a
 * success; any other answer, a refused target, a connection error or the time limit is an error
 * with the reason. Runs on the event loop or in the send thread (sender.ts) alike.
 */
export function createAttemptMaker(
  s: AttemptSettings,
): (r: AttemptRequest) => Promise<AttemptResult> {
  // Keyed by the sealed form: a rotated secret is a new key, an old one ages out.
  const secrets = new Lru<string, string>(SECRETS_KEPT)
  const unseal = (sealed: string) => {
    let secret = secrets.get(sealed)
    if (secret === undefined) {
      secret = openSecret(s.serverSecret, sealed)
      if (secret !== undefined) secrets.set(sealed, secret)
    }
    return secret
  }
  return async (r) => {
    const t0 = performance.now()
    const done = (statusCode: number | null, error: string | null): AttemptResult => ({
      statusCode,
      error,
      durationMs: Math.round(performance.now() - t0),
    })
    const secret = unseal(r.secret_enc)
    if (secret === undefined)
      return done(
        null,
        'The signing secret cannot be read (was AURION_SECRET changed?): rotate the secret',
      )
    const body =
      r.format === 'slack'
        ? teamChatBody(r.type, (JSON.parse(r.payload) as { data: Record<string, unknown> }).data)
        : r.payload
    try {
      const res = await safeFetch(r.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Aurion-Webhooks/1',
          ...webhookHeaders(secret, r.event_id, r.timestampSec, body),
        },
        body,
        allowPrivate: s.allowPrivate,
        timeoutMs: s.timeoutMs,
        maxBodyBytes: RESPONSE_CAP,
      })
      if (res.status >= 200 && res.status <= 299) return done(res.status, null)
      const text = res.body.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, ERROR_SNIPPET)
      return done(res.status, `Endpoint answered ${res.status}${text ? `: ${text}` : ''}`)
    } catch (err) {
      return done(null, (err as Error).message || String(err))
    }
  }
}
