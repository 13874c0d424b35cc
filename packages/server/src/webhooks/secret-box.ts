import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { Lru } from '../lru.ts'

/**
 * Webhook signing secrets must be recoverable (the server signs with them), so unlike API keys
 * they cannot be stored as hashes. They are stored sealed with AES-256-GCM under a key derived
 * (HKDF-SHA256) from AURION_SECRET: a copy of the database alone does not reveal them. Changing
 * AURION_SECRET makes stored secrets unreadable: deliveries fail with a clear error until the
 * endpoint's secret is rotated.
 */
const VERSION = 'v1'
const INFO = 'aurion webhook signing secrets v1'

/** Derived keys by secret and purpose (a process has one AURION_SECRET and a few purposes). */
const keys = new Lru<string, Buffer>(16)

function keyOf(serverSecret: string, info: string): Buffer {
  const id = `${info}\u0000${serverSecret}`
  let key = keys.get(id)
  if (key === undefined) {
    key = Buffer.from(hkdfSync('sha256', serverSecret, 'aurion', info, 32))
    keys.set(id, key)
  }
  return key
}

/** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}

/**
 * `v1.<iv>.<tag>.<ciphertext>` (base64url parts). `info` separates the keys of different kinds
 * of secret (the console's authenticator secrets use their own).
 */
export function sealSecret(serverSecret: string, secret: string, info = INFO): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keyOf(serverSecret, info), iv)
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()])
  return [VERSION, iv, cipher.getAuthTag(), ct]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.')
}

/** The secret, or undefined when it was sealed under another AURION_SECRET (or is damaged). */
export function openSecret(serverSecret: string, sealed: string, info = INFO): string | undefined {
  const [version, iv, tag, ct] = sealed.split('.')
  if (version !== VERSION || !iv || !tag || ct === undefined) return undefined
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keyOf(serverSecret, info),
      Buffer.from(iv, 'base64url'),
    )
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([
      decipher.update(Buffer.from(ct, 'base64url')),
      decipher.final(),
    ]).toString('utf8')
  } catch {
    return undefined
  }
}
