import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  computeUserHash,
  identityFingerprint,
  isEmailProven,
  signEmailToken,
  verifyEmailToken,
  verifyUserHash,
} from './email-token.ts'

const SECRET = 'unit-secret-0123456789abcdef0123456789'
const TID = '11111111-2222-3333-4444-555555555555'
const NOW = 1_800_000_000

const sign = (payload: unknown, secret = SECRET) => {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  return `${body}.${createHmac('sha256', secret).update(body).digest('hex')}`
}

describe('email tokens', () => {
  it('round-trips a lower-cased email with a 30-day expiry', () => {
    const token = signEmailToken(SECRET, { tenantId: TID, email: 'Jane@Example.COM', nowSec: NOW })
    const payload = verifyEmailToken(SECRET, token, { tenantId: TID, nowSec: NOW + 10 })
    expect(payload).toEqual({
      tid: TID,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      email: 'jane@example.com',
      iat: NOW,
      exp: NOW + 30 * 24 * 3600,
    })
    expect(isEmailProven(payload!)).toBe(false)
  })

  it('draws a new token id for every token, and keeps a given one (a proven upgrade)', () => {
    const a = verifyEmailToken(SECRET, signEmailToken(SECRET, { tenantId: TID, email: 'a@b.co' }), {
      tenantId: TID,
    })
    const b = verifyEmailToken(SECRET, signEmailToken(SECRET, { tenantId: TID, email: 'a@b.co' }), {
      tenantId: TID,
    })
    expect(a?.jti).not.toBe(b?.jti)
    const upgraded = verifyEmailToken(
      SECRET,
      signEmailToken(SECRET, {
        tenantId: TID,
        email: 'a@b.co',
        tokenId: a!.jti,
        codeVerified: true,
      }),
      { tenantId: TID },
    )
    expect(upgraded).toMatchObject({ jti: a!.jti, cv: 1 })
    expect(isEmailProven(upgraded!)).toBe(true)
  })

  it('expires exactly at exp', () => {
    const token = signEmailToken(SECRET, {
      tenantId: TID,
      email: 'a@b.co',
      nowSec: NOW,
      ttlSec: 60,
    })
    expect(verifyEmailToken(SECRET, token, { tenantId: TID, nowSec: NOW + 59 })).toBeDefined()
    expect(verifyEmailToken(SECRET, token, { tenantId: TID, nowSec: NOW + 60 })).toBeUndefined()
  })

  it.each<[string, (good: string) => string]>([
    [
      'another tenant',
      () => signEmailToken(SECRET, { tenantId: 'other', email: 'a@b.co', nowSec: NOW }),
    ],
    [
      'another secret',
      () => signEmailToken(`${SECRET}x`, { tenantId: TID, email: 'a@b.co', nowSec: NOW }),
    ],
    [
      'a changed payload',
      (g) =>
        `${sign({ tid: TID, email: 'boss@b.co', iat: NOW, exp: NOW + 99 }).split('.')[0]}.${g.split('.')[1]}`,
    ],
    ['a flipped signature digit', (g) => g.replace(/.$/, (c) => (c === '0' ? '1' : '0'))],
    ['an upper-case signature', (g) => `${g.split('.')[0]}.${g.split('.')[1]!.toUpperCase()}`],
    ['a truncated signature', (g) => g.slice(0, -2)],
    ['no signature', (g) => g.split('.')[0]!],
    ['an extra part', (g) => `${g}.00`],
    ['an empty string', () => ''],
    ['a huge token', () => 'a'.repeat(5000)],
    [
      'iat far in the future',
      () =>
        sign({ tid: TID, jti: 'x'.repeat(22), email: 'a@b.co', iat: NOW + 3600, exp: NOW + 7200 }),
    ],
    ['a non-integer exp', () => sign({ tid: TID, email: 'a@b.co', iat: NOW, exp: 'never' })],
    ['no email', () => sign({ tid: TID, iat: NOW, exp: NOW + 60 })],
    // Issued before token ids: it proved nothing but the typed email.
    ['no token id', () => sign({ tid: TID, email: 'a@b.co', iat: NOW, exp: NOW + 60 })],
    [
      'a forged code marker',
      () =>
        sign({ tid: TID, jti: 'x'.repeat(22), email: 'a@b.co', iat: NOW, exp: NOW + 60, cv: 2 }),
    ],
    ['a JSON array', () => sign([TID])],
    [
      'bad base64 JSON',
      () => `bm90IGpzb24.${createHmac('sha256', SECRET).update('bm90IGpzb24').digest('hex')}`,
    ],
  ])('refuses %s', (_name, make) => {
    const good = signEmailToken(SECRET, { tenantId: TID, email: 'a@b.co', nowSec: NOW })
    expect(verifyEmailToken(SECRET, make(good), { tenantId: TID, nowSec: NOW + 1 })).toBeUndefined()
  })

  it('carries the identity fingerprint when identity verification vouched for the email', () => {
    const iv = identityFingerprint('identity-secret')
    expect(iv).toMatch(/^[0-9a-f]{16}$/)
    expect(identityFingerprint('identity-secret-2')).not.toBe(iv)
    const token = signEmailToken(SECRET, {
      tenantId: TID,
      email: 'a@b.co',
      identity: iv,
      nowSec: NOW,
    })
    expect(verifyEmailToken(SECRET, token, { tenantId: TID, nowSec: NOW })?.iv).toBe(iv)
  })
})

describe('user_hash', () => {
  const secret = 'tenant-identity-secret'
  it('is hex HMAC-SHA256(email) with the identity secret', () => {
    expect(computeUserHash(secret, 'pat@example.com')).toBe(
      createHmac('sha256', secret).update('pat@example.com').digest('hex'),
    )
  })
  it('accepts the hash of the email as sent or lower-cased, in any hex case', () => {
    expect(
      verifyUserHash(secret, 'Pat@Example.com', computeUserHash(secret, 'Pat@Example.com')),
    ).toBe(true)
    expect(
      verifyUserHash(secret, 'Pat@Example.com', computeUserHash(secret, 'pat@example.com')),
    ).toBe(true)
    expect(
      verifyUserHash(
        secret,
        'pat@example.com',
        computeUserHash(secret, 'pat@example.com').toUpperCase(),
      ),
    ).toBe(true)
  })
  it.each([undefined, '', 'zz', '0'.repeat(64), computeUserHash('other', 'pat@example.com')])(
    'refuses %j',
    (hash) => expect(verifyUserHash(secret, 'pat@example.com', hash)).toBe(false),
  )
})
